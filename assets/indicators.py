"""Monthly indicator marts: `mart.indicator_monthly` and the Decision 766 estimate, partitioned by month.

Partitions start in 2019-01, but a run over the whole partition range (see `full_range_run_tags`) has no
lower bound: it recomputes every month found in the data, from the first month with a received case to the
month of `as_of`, and removes rows of months outside that span. A run over some partitions replaces only the
rows of its months.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import dagster as dg
from sqlalchemy import Connection

from assets.run_clock import AS_OF_TAG, LOCAL_ZONE, run_started_at
from resources.sql_files import sql
from resources.warehouse import WarehouseResource

QUERIES = "queries/indicators.sql"
PARTITIONS_START = "2019-01-01"
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
FACT_CASE = dg.AssetKey(["mart", "fact_case"])
INDICATOR_MONTHLY = dg.AssetKey(["mart", "indicator_monthly"])
INDICATOR_766 = dg.AssetKey(["mart", "indicator_766_estimate"])

MONTHLY_PARTITIONS = dg.MonthlyPartitionsDefinition(
    start_date=PARTITIONS_START, timezone="Asia/Ho_Chi_Minh", end_offset=1
)

INDICATOR_LABELS: dict[str, str] = {
    "on_time_rate": "Tỷ lệ hồ sơ giải quyết đúng hạn",
    "online_rate": "Tỷ lệ hồ sơ nộp trực tuyến",
    "online_payment_rate": "Tỷ lệ hồ sơ thanh toán trực tuyến",
    "digitized_rate": "Tỷ lệ hồ sơ được số hóa",
    "e_result_rate": "Tỷ lệ kết quả giải quyết có bản điện tử",
    "satisfaction_rate": "Tỷ lệ hài lòng của người dân",
    "apology_rate": "Tỷ lệ hồ sơ trễ hạn có phiếu xin lỗi",
    "national_sync_rate": "Tỷ lệ hồ sơ đồng bộ Cổng Dịch vụ công quốc gia",
    "official_vneid_rate": "Tỷ lệ công chức dùng tài khoản VNeID",
}


@dataclass(frozen=True)
class MonthWindow:
    """The months a run replaces: `[month_start, month_end)`, None meaning unbounded."""

    month_start: date | None
    month_end: date | None

    def params(self, as_of: datetime) -> dict[str, Any]:
        """Bind parameters of the indicator queries."""
        return {"as_of": as_of, "month_start": self.month_start, "month_end": self.month_end}

    def describe(self) -> str:
        """A short human description of the window."""
        start = self.month_start.isoformat() if self.month_start else "first month in the data"
        end = self.month_end.isoformat() if self.month_end else "month of as_of (inclusive)"
        return f"{start} .. {end}"


def full_range_run_tags(as_of: datetime) -> dict[str, str]:
    """Run tags for one run over every monthly partition up to the month of `as_of`, and that `as_of`.

    Pass them as `tags=` to `dg.materialize(...)` (or a job run) together with unpartitioned assets.
    """
    keys = MONTHLY_PARTITIONS.get_partition_keys(current_time=as_of)
    return {
        PARTITION_RANGE_START_TAG: keys[0],
        PARTITION_RANGE_END_TAG: keys[-1],
        AS_OF_TAG: as_of.isoformat(),
    }


def month_of(moment: datetime) -> date:
    """First day of the local calendar month of `moment`."""
    return moment.astimezone(LOCAL_ZONE).date().replace(day=1)


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


def publish_indicator_monthly(conn: Connection, window: MonthWindow, as_of: datetime) -> None:
    """Compute the window's indicators into a temp table and apply only the differences."""
    params = window.params(as_of)
    conn.execute(sql(QUERIES, "lock_indicators"))
    conn.execute(sql(QUERIES, "create_indicator_monthly_new"))
    conn.execute(sql(QUERIES, "compute_indicator_monthly"), params)
    conn.execute(sql(QUERIES, "delete_stale_indicator_monthly"), params)
    conn.execute(sql(QUERIES, "upsert_indicator_monthly"), params)


def publish_indicator_766(conn: Connection, window: MonthWindow, as_of: datetime) -> None:
    """Derive the 766 estimate of the window from `mart.indicator_monthly` and apply the differences."""
    params = window.params(as_of)
    conn.execute(sql(QUERIES, "lock_indicators"))
    conn.execute(sql(QUERIES, "create_indicator_766_new"))
    conn.execute(sql(QUERIES, "compute_indicator_766"), params)
    conn.execute(sql(QUERIES, "delete_stale_indicator_766"), params)
    conn.execute(sql(QUERIES, "upsert_indicator_766"), params)


def percent(value: Any) -> str:
    """A ratio as a percentage with one decimal, or a dash."""
    return "–" if value is None else f"{float(value) * 100:.1f}%"


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


@dg.asset(
    key=INDICATOR_MONTHLY,
    deps=[FACT_CASE],
    partitions_def=MONTHLY_PARTITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="indicators",
    kinds={"postgres"},
    description="Indicators per month, current unit (and ALL) and indicator, with targets (contract).",
)
def indicator_monthly(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Recompute the run's months of `mart.indicator_monthly` in one transaction."""
    as_of = run_started_at(context)
    window = run_window(context, as_of)
    with warehouse.begin() as conn:
        publish_indicator_monthly(conn, window, as_of)
        metadata = indicator_metadata(conn, window, as_of)
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=INDICATOR_766,
    deps=[INDICATOR_MONTHLY],
    partitions_def=MONTHLY_PARTITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="indicators",
    kinds={"postgres"},
    description="ESTIMATE of the Decision 766 group points per unit per month (formula in column comments).",
)
def indicator_766_estimate(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Recompute the run's months of `mart.indicator_766_estimate` in one transaction."""
    as_of = run_started_at(context)
    window = run_window(context, as_of)
    with warehouse.begin() as conn:
        publish_indicator_766(conn, window, as_of)
        rows = conn.execute(sql(QUERIES, "count_indicator_766"), window.params(as_of)).scalar_one()
    return dg.MaterializeResult(
        metadata={"rows": int(rows), "window": window.describe(), "is_estimate": True}
    )
