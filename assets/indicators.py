"""The monthly indicator mart `mart.indicator_monthly`, partitioned by month.

Partitions start in 2019-01, but a run over the whole partition range (`pipelines.run_tags`) has no
lower bound: it recomputes every month found in the data, from the first month with a received case to the
month of `as_of`, and removes rows of months outside that span. A run over some partitions replaces only the
rows of its months.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import dagster as dg
from sqlalchemy import Connection

from assets.data_versions import table_data_version
from assets.shared import build_inputs
from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
from core.local_time import LOCAL_TZ_NAME, month_of
from core.presentation import percent
from core.sql_files import sql
from resources.warehouse import WarehouseResource
from transform.builds import BuildInputs
from transform.indicators import (
    INDICATOR_MONTHLY,
    QUERIES,
    MonthWindow,
    count_window,
)
from transform.registry import run_build

PARTITIONS_START = "2019-01-01"

MONTHLY_PARTITIONS = dg.MonthlyPartitionsDefinition(
    start_date=PARTITIONS_START, timezone=LOCAL_TZ_NAME, end_offset=1
)


def run_window(context: dg.AssetExecutionContext, as_of: datetime) -> MonthWindow:
    """The window of the run: unbounded at an end the run's partition range reaches."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return MonthWindow(None, None)
    key_range = context.partition_key_range
    window = context.partition_time_window
    start_open = key_range.start == MONTHLY_PARTITIONS.get_first_partition_key()
    end_open = window.end.date() > month_of(as_of)
    return MonthWindow(
        None if start_open else window.start.date(),
        None if end_open else window.end.date(),
    )


def latest_month_markdown(conn: Connection) -> str:
    """A Markdown table of the latest month's indicators for the whole Department."""
    rows = conn.execute(sql(QUERIES, "latest_month_all")).all()
    lines = ["| indicator | numerator | denominator | value | target | meets |", "|---|---|---|---|---|---|"]
    for row in rows:
        meets = {True: "yes", False: "no"}.get(row.meets_target, "–")
        lines.append(
            f"| {row.indicator_code} | {row.numerator} | {row.denominator} | {percent(row.value)} "
            f"| {percent(row.target)} | {meets} |"
        )
    return "\n".join(lines)


def indicator_metadata(conn: Connection, window: MonthWindow, as_of: datetime) -> dict[str, Any]:
    """Rows per indicator, months covered and the latest month for ALL."""
    summary = conn.execute(sql(QUERIES, "indicator_summary"), window.params(as_of)).all()
    months = [row.first_month for row in summary] + [row.last_month for row in summary]
    metadata: dict[str, Any] = {f"rows/{row.indicator_code}": int(row.row_count) for row in summary}
    metadata["dagster/row_count"] = sum(int(row.row_count) for row in summary)
    metadata["window"] = window.describe()
    metadata["first_month"] = min(months).isoformat() if months else "none"
    metadata["last_month"] = max(months).isoformat() if months else "none"
    metadata["as_of"] = as_of.isoformat()
    metadata["latest_month_all"] = dg.MetadataValue.md(latest_month_markdown(conn))
    return metadata


Publisher = Callable[[Connection, MonthWindow, BuildInputs], dict[str, Any]]
Describer = Callable[[Connection, MonthWindow, datetime], dict[str, Any]]


def monthly_mart(
    key: dg.AssetKey, deps: list[dg.AssetKey], description: str, publish: Publisher, describe: Describer,
    code_version: str | None = None,
) -> dg.AssetsDefinition:  # fmt: skip
    """A monthly-partitioned mart that recomputes the run's months in one transaction."""

    @dg.asset(
        pool=WAREHOUSE_POOL,
        key=key,
        deps=deps,
        partitions_def=MONTHLY_PARTITIONS,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"postgres"},
        description=description,
        code_version=code_version,
    )
    def _mart(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        inputs = build_inputs(context)
        assert inputs.as_of is not None
        window = run_window(context, inputs.as_of)
        published, metadata = warehouse.transaction(
            lambda conn: (publish(conn, window, inputs), describe(conn, window, inputs.as_of))
        )
        return dg.MaterializeResult(
            metadata=metadata | published, data_version=table_data_version(warehouse, context.asset_key)
        )

    return _mart


def publish_indicator_monthly(conn: Connection, window: MonthWindow, inputs: BuildInputs) -> dict[str, Any]:
    """Build every month (the registry's build), or count the months of a bounded window; its metadata."""
    if window.unbounded:
        return run_build(conn, INDICATOR_MONTHLY, inputs).as_metadata()
    return count_window(conn, window, inputs).as_metadata()


indicator_monthly = monthly_mart(
    keys.INDICATOR_MONTHLY, [keys.FACT_CASE, keys.FACT_PETITION],
    "Indicators per month, current unit (and ALL) and indicator, with targets (contract); only the months "
    "the changes touch are recomputed.",
    publish_indicator_monthly, indicator_metadata, INDICATOR_MONTHLY.code_version(),
)
