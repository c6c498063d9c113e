"""The report files: the monthly HTML page people read (`report/monthly`) and the periodic TTHC report as
filed (`report/tthc_periodic`, one .xlsx per period); both written by the `reports` package from the marts."""

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
from core.local_time import last_complete_month, local_date
from core.run_clock import run_started_at
from core.run_config import folder_inside, refuse_secret_values
from reports.monthly_data import ReportData, load_report_data
from reports.period_form import DEFAULT_FORM_NUMBER, form_file, load_sheets, requested_periods, write_workbook
from reports.points_lost_sheet import item_rows, write_points_lost_sheet
from reports.render_memo import fingerprint, remember, rendered_files
from reports.score766_section import load_scorecards
from resources import settings as settings_module
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource

MONTHLY_ARTIFACT = keys.MONTHLY_REPORT.to_user_string()


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=keys.MONTHLY_REPORT,
    deps=[
        keys.INDICATOR_MONTHLY,
        keys.SCORE766_MONTHLY,
        keys.FACT_CASE,
        keys.BACKLOG_RESIDUE_SNAPSHOT,
        keys.BACKLOG_RECONCILIATION,
        keys.RESIDUE_CASE,
        keys.DQ_RESULTS,
        keys.FACT_PETITION,
    ],
    kinds={"html"},
)
def monthly_report(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.MaterializeResult:
    """Monthly HTML report (Vietnamese) of the last complete month: indicators against targets, trends with
    the current month provisional, the Decision 766 scorecard and where its points were lost, residue work
    list and burn-down, data-quality findings per unit, officials' monthly review (letter 01/2025), late
    cases, petitions (PAKN) per unit against their targets with the open overdue ones.
    """
    as_of = run_started_at(context)
    with warehouse.begin() as conn:
        data = load_report_data(conn, as_of, settings.cutover())
        printed = fingerprint(local_date(as_of), str(settings_module.reports_dir()), data)
        kept = rendered_files(conn, MONTHLY_ARTIFACT, printed)
    metadata = {
        "month": data.month.isoformat() if data.month else "none",
        "missing_sources": ", ".join(data.missing) or "none",
    }
    if kept is not None:
        return dg.MaterializeResult(
            metadata=metadata | {"report": dg.MetadataValue.path(str(kept[0])), "unchanged": True}
        )
    page, charts, drawn = render_monthly(data)
    with warehouse.begin() as conn:
        remember(conn, MONTHLY_ARTIFACT, printed, [page, *(page.parent / name for name in charts)])
    rendered = {
        "report": dg.MetadataValue.path(str(page)),
        "unchanged": False,
        "charts": ", ".join(charts),
        "charts_drawn": drawn[0],
        "charts_reused": drawn[1],
    }
    return dg.MaterializeResult(metadata=metadata | rendered)


def render_monthly(data: ReportData) -> tuple[Path, list[str], tuple[int, int]]:
    """Draw the charts (or take them from the cache) and write the page; its path, the charts' file names,
    and how many were drawn and reused. The rendering libraries are imported here, when a page is written."""
    from reports.monthly_charts import CHARTS, ChartCache, chart_cache_folder
    from reports.monthly_page import report_folder, write_report

    cache = ChartCache(chart_cache_folder())
    charts = {name: cache.chart(data, spec) for name, spec in CHARTS.items()}
    cache.prune()
    page = write_report(data, charts, report_folder(data))
    return page, [chart.name for chart in charts.values()], (cache.drawn, cache.reused)


class PeriodicReportConfig(dg.Config):
    """Which periods to write besides the latest complete ones, the form number and the output folder."""

    periods: list[str] = Field(
        default_factory=list, description="Extra periods to write: YYYY-Q1..Q4, YYYY-H1/H2 or YYYY."
    )
    form_number: str = Field(default=DEFAULT_FORM_NUMBER, description="Form number printed in the corner.")
    output_dir: str = Field(
        default="periodic",
        description="Folder of the files, relative to the reports folder (EGOV_SYNC_REPORT_DIR, default "
        "<data dir>/reports).",
    )


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=keys.TTHC_PERIODIC_REPORT,
    deps=[keys.TTHC_PERIOD_REPORT, keys.SCORE766_MONTHLY],
    kinds={"xlsx"},
)
def tthc_periodic_report(
    context: dg.AssetExecutionContext, config: PeriodicReportConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """The periodic TTHC report as filed (Circular 01/2020/TT-VPCP), one .xlsx per period in the form's
    layout: the latest complete quarter, half and year, and any period asked for in the run config; each
    with the sheet of the Decision 766 points each unit lost in the last complete month.
    """
    refuse_secret_values(config)
    as_of: datetime = run_started_at(context)
    today = local_date(as_of)
    folder = folder_inside(settings_module.reports_dir(), config.output_dir)
    written: dict[str, str] = {}
    skipped: list[str] = []
    kept: list[str] = []
    month = last_complete_month(as_of)
    with warehouse.begin() as conn:
        cards = load_scorecards(conn, month, as_of, None)
        cards_printed = fingerprint(today, cards, month)  # once: the same sheet in every period's file
        lost_rows = item_rows(cards)
        for period in requested_periods(config.periods, today):
            sheets = [] if period.start >= today else load_sheets(conn, period)
            if not sheets:
                if period.code in config.periods:
                    raise dg.Failure(f"no case in mart.tthc_period_report for the period {period.code}")
                skipped.append(period.code)
                continue
            path = form_file(folder, period)
            artifact = f"{keys.TTHC_PERIODIC_REPORT.to_user_string()}/{period.code}"
            printed = fingerprint(today, str(path), config.form_number, sheets, cards_printed)
            written[period.code] = str(path)
            if rendered_files(conn, artifact, printed) is not None:
                kept.append(period.code)
                continue
            lost_sheet = partial(write_points_lost_sheet, rows=lost_rows, month=month)
            write_workbook(sheets, period, config.form_number, today, path, more=lost_sheet)
            remember(conn, artifact, printed, [path])
            context.log.info(f"wrote {period.label()}: {path}")
    metadata: dict[str, Any] = {f"file/{code}": dg.MetadataValue.path(path) for code, path in written.items()}
    metadata["periods"] = ", ".join(written) or "none"
    metadata["unchanged_periods"] = ", ".join(kept) or "none"
    metadata["unchanged"] = bool(written) and len(kept) == len(written)
    metadata["skipped_without_cases"] = ", ".join(skipped) or "none"
    metadata["folder"] = dg.MetadataValue.path(str(folder))
    return dg.MaterializeResult(metadata=metadata)
