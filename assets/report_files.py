"""The report files: the monthly HTML page people read (`report/monthly`) and the periodic TTHC report as
filed (`report/tthc_periodic`, one .xlsx per period); both written by the `reports` package from the marts."""

from datetime import datetime
from functools import partial
from typing import Any

import dagster as dg
from pydantic import Field

from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
from core.local_time import last_complete_month, local_date
from core.run_clock import run_started_at
from core.run_config import folder_inside, refuse_secret_values
from reports.monthly_charts import CHARTS, ChartCache, chart_cache_folder
from reports.monthly_data import load_report_data
from reports.monthly_page import report_folder, write_report
from reports.period_form import DEFAULT_FORM_NUMBER, form_file, load_sheets, requested_periods, write_workbook
from reports.points_lost_sheet import write_points_lost_sheet
from reports.score766_section import load_scorecards
from resources import settings as settings_module
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource


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
    cache = ChartCache(chart_cache_folder())
    charts = {name: cache.chart(data, spec) for name, spec in CHARTS.items()}
    cache.prune()
    page = write_report(data, charts, report_folder(data))
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(page)),
            "month": data.month.isoformat() if data.month else "none",
            "charts": ", ".join(chart.name for chart in charts.values()),
            "charts_drawn": cache.drawn,
            "charts_reused": cache.reused,
            "missing_sources": ", ".join(data.missing) or "none",
        }
    )


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
    month = last_complete_month(as_of)
    with warehouse.begin() as conn:
        cards = load_scorecards(conn, month, as_of, None)
        for period in requested_periods(config.periods, today):
            sheets = [] if period.start >= today else load_sheets(conn, period)
            if not sheets:
                if period.code in config.periods:
                    raise dg.Failure(f"no case in mart.tthc_period_report for the period {period.code}")
                skipped.append(period.code)
                continue
            path = form_file(folder, period)
            lost_sheet = partial(write_points_lost_sheet, cards=cards, month=month)
            written[period.code] = str(
                write_workbook(sheets, period, config.form_number, today, path, more=lost_sheet)
            )
            context.log.info(f"wrote {period.label()}: {path}")
    metadata: dict[str, Any] = {f"file/{code}": dg.MetadataValue.path(path) for code, path in written.items()}
    metadata["periods"] = ", ".join(written) or "none"
    metadata["skipped_without_cases"] = ", ".join(skipped) or "none"
    metadata["folder"] = dg.MetadataValue.path(str(folder))
    return dg.MaterializeResult(metadata=metadata)
