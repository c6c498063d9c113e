"""The petitions people must act on: open petitions past their handling deadline (`HanXuLy`), checked after
each build of `mart.fact_petition`, with the day's `petition_overdue` alert."""

import dagster as dg

from assets.shared import read_rows, warehouse_check
from core import asset_keys as keys
from core.local_time import local_date
from core.presentation import markdown_table
from core.run_clock import run_started_at
from resources.alert_rules import OLDEST_CASES
from resources.alerting import AlertingResource
from resources.warehouse import WarehouseResource

ALERT_QUERIES = "queries/alerts.sql"
UNIT_COLUMNS = ["unit_code", "overdue", "oldest_handle_due_on", "most_days_overdue"]
PETITION_COLUMNS = ["petition_key", "unit_code", "classification", "handle_due_at", "days_overdue"]


@warehouse_check(keys.FACT_PETITION)
def no_open_petition_past_deadline(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, alerts: AlertingResource
) -> dg.AssetCheckResult:
    """No petition is still open (waiting or being handled) past its handling deadline at the run's as_of
    (WARN: it is work for the units, not bad data). Raises a `petition_overdue` alert once a local day while
    any is, again that day if there are more; lists them per unit, oldest first, without sender data."""
    as_of = run_started_at(context)
    params = {"as_of": as_of, "limit": OLDEST_CASES}
    units = read_rows(warehouse, ALERT_QUERIES, "overdue_petitions_by_unit", **params)
    oldest = read_rows(warehouse, ALERT_QUERIES, "oldest_overdue_petitions", **params)
    alert = alerts.petition_overdue(as_of, context.run.run_id)
    return dg.AssetCheckResult(
        passed=not units,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "overdue": sum(unit["overdue"] for unit in units),
            "as_of_date": local_date(as_of).isoformat(),
            "by_unit": markdown_table(units, UNIT_COLUMNS),
            "oldest": markdown_table(oldest, PETITION_COLUMNS),
            "alert_raised": alert is not None,
        },
    )
