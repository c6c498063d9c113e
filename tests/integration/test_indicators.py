"""Indicator marts on a hand-made case set: values, partition runs, full runs and idempotence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import dagster as dg
import pytest
from sqlalchemy import text

from assets.indicators import MONTHLY_PARTITIONS, indicator_monthly
from core.build_mode import FULL_REBUILD_TAG
from core.run_clock import AS_OF_TAG
from pipelines.run_tags import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG, full_range_run_tags
from resources.warehouse import WarehouseResource
from tests.indicator_data import AS_OF, install_sources

MAY, JUN, JUL, AUG = date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1)

# (indicator_code, period_month) -> {unit_code: (numerator, denominator)}, computed by hand from CASES.
EXPECTED_BY_MONTH: dict[tuple[str, date], dict[str, tuple[int, int]]] = {
    # C2 is open May..Aug (on time in May, judged at P_end, then as_of); C3 ends exactly at due.
    ("on_time_rate", MAY): {"U1": (2, 2), "U3": (0, 1), "ALL": (2, 3)},
    ("on_time_rate", JUN): {"U1": (1, 2), "U3": (1, 2), "ALL": (2, 4)},
    ("on_time_rate", JUL): {"U1": (1, 2), "U3": (0, 1), "ALL": (1, 3)},
    ("on_time_rate", AUG): {"U1": (1, 2), "ALL": (1, 2)},
    ("online_rate", MAY): {"U1": (1, 2), "U3": (0, 1), "ALL": (1, 3)},
    ("online_rate", JUN): {"U1": (1, 1), "U3": (1, 2), "ALL": (2, 3)},
    ("online_rate", JUL): {"U3": (0, 1), "ALL": (0, 1)},
    ("online_rate", AUG): {"U1": (1, 1), "ALL": (1, 1)},
    # July has no fee-bearing case: no online_payment_rate row at all.
    ("online_payment_rate", MAY): {"U1": (1, 2), "U3": (0, 1), "ALL": (1, 3)},
    ("online_payment_rate", JUN): {"U1": (1, 1), "ALL": (1, 1)},
    ("online_payment_rate", AUG): {"U1": (1, 1), "ALL": (1, 1)},
    ("digitized_rate", MAY): {"U1": (1, 2), "U3": (0, 1), "ALL": (1, 3)},
    ("digitized_rate", JUN): {"U1": (1, 1), "U3": (1, 2), "ALL": (2, 3)},
    ("digitized_rate", JUL): {"U3": (0, 1), "ALL": (0, 1)},
    ("digitized_rate", AUG): {"U1": (1, 1), "ALL": (1, 1)},
    ("e_result_rate", MAY): {"U1": (1, 1), "U3": (0, 1), "ALL": (1, 2)},
    ("e_result_rate", JUN): {"U3": (1, 2), "ALL": (1, 2)},
    ("e_result_rate", JUL): {"U1": (1, 1), "ALL": (1, 1)},
    ("satisfaction_rate", MAY): {"U1": (1, 1), "U3": (1, 1), "ALL": (2, 2)},
    ("satisfaction_rate", JUN): {"U3": (0, 1), "ALL": (0, 1)},
    ("satisfaction_rate", JUL): {"U1": (1, 1), "ALL": (1, 1)},
    ("apology_rate", MAY): {"U3": (0, 1), "ALL": (0, 1)},
    ("apology_rate", JUN): {"U3": (1, 1), "ALL": (1, 1)},
    ("national_sync_rate", MAY): {"U1": (2, 2), "ALL": (2, 2)},
    ("national_sync_rate", JUN): {"U1": (1, 1), "U3": (1, 2), "ALL": (2, 3)},
    ("national_sync_rate", JUL): {"U3": (1, 1), "ALL": (1, 1)},
    ("national_sync_rate", AUG): {"U1": (0, 1), "ALL": (0, 1)},
    # alice (unit U2 merged into U1) VNeID, bob NOI_BO; carol inactive, dave handled no fact case,
    # erin only Egov cases: not counted.
    ("official_vneid_rate", AUG): {"U1": (1, 1), "U3": (0, 1), "ALL": (1, 2)},
}
EXPECTED = {
    (month, unit, code): counts
    for (code, month), units in EXPECTED_BY_MONTH.items()
    for unit, counts in units.items()
}

ASSETS = [indicator_monthly]


def run_assets(
    warehouse: WarehouseResource, *, partition_key: str | None = None, tags: dict | None = None
) -> None:
    """Materialise the indicator assets in process, for one partition or with the given run tags."""
    run_tags = {AS_OF_TAG: AS_OF.isoformat(), **(tags or {})}
    result = dg.materialize(
        ASSETS,
        resources={"warehouse": warehouse},
        partition_key=partition_key,
        tags=run_tags,
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success


def indicator_rows(warehouse: WarehouseResource) -> dict[tuple, tuple]:
    """Every indicator row, keyed, with its values and xmin."""
    with warehouse.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT period_month, unit_code, indicator_code, numerator, denominator, value, target,"
                " meets_target, xmin::text AS xmin FROM mart.indicator_monthly"
            )
        ).all()
    return {(r.period_month, r.unit_code, r.indicator_code): tuple(r[3:]) for r in rows}


def counts(rows: dict[tuple, tuple]) -> dict[tuple, tuple[int, int]]:
    """Numerator and denominator per key."""
    return {key: (values[0], values[1]) for key, values in rows.items()}


@pytest.fixture
def sourced(warehouse: WarehouseResource) -> WarehouseResource:
    """A warehouse with the hand-made cases loaded."""
    install_sources(warehouse)
    return warehouse


def test_full_run_matches_hand_computed_values(sourced: WarehouseResource) -> None:
    run_assets(sourced, tags=full_range_run_tags(AS_OF))
    rows = indicator_rows(sourced)
    assert counts(rows) == EXPECTED
    assert not any(unit == "U2" for _, unit, _ in rows), "a merged unit reports under its successor"
    *_, value, target, meets, _xmin = rows[(JUN, "ALL", "on_time_rate")]
    assert value == Decimal(2) / Decimal(4)
    assert target == Decimal("0.96")
    assert meets is False
    assert rows[(MAY, "ALL", "satisfaction_rate")][4] is True


def test_full_range_run_tags_cover_every_partition_to_as_of() -> None:
    tags = full_range_run_tags(AS_OF)
    assert tags[PARTITION_RANGE_START_TAG] == MONTHLY_PARTITIONS.get_first_partition_key() == "2019-01-01"
    assert tags[PARTITION_RANGE_END_TAG] == "2025-08-01"
    assert tags[AS_OF_TAG] == AS_OF.isoformat()
    month_turn = datetime(2025, 8, 31, 17, 30, tzinfo=UTC)  # 1 September 00:30 in Asia/Ho_Chi_Minh
    assert full_range_run_tags(month_turn)[PARTITION_RANGE_END_TAG] == "2025-09-01"


def test_partition_runs_build_the_same_table(sourced: WarehouseResource) -> None:
    for key in ("2025-05-01", "2025-06-01", "2025-07-01", "2025-08-01"):
        run_assets(sourced, partition_key=key)
    assert counts(indicator_rows(sourced)) == EXPECTED


def test_rerunning_a_partition_changes_nothing(sourced: WarehouseResource) -> None:
    run_assets(sourced, tags=full_range_run_tags(AS_OF))
    before = indicator_rows(sourced)
    run_assets(sourced, partition_key="2025-06-01")
    run_assets(sourced, tags=full_range_run_tags(AS_OF))
    assert indicator_rows(sourced) == before


def test_source_change_touches_only_its_months(sourced: WarehouseResource) -> None:
    run_assets(sourced, tags=full_range_run_tags(AS_OF))
    before = indicator_rows(sourced)
    with sourced.begin() as conn:
        conn.execute(text("UPDATE mart.fact_case SET has_apology = false WHERE case_key = 'C4'"))
    run_assets(sourced, partition_key="2025-07-01")
    assert indicator_rows(sourced) == before, "a July run must not touch June"
    # fact_case was changed outside its build, so no change was logged: only a full rebuild sees it
    run_assets(sourced, tags=full_range_run_tags(AS_OF) | {FULL_REBUILD_TAG: "true"})
    after = indicator_rows(sourced)
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {(JUN, "U3", "apology_rate"), (JUN, "ALL", "apology_rate")}
    assert counts(after)[(JUN, "U3", "apology_rate")] == (0, 1)


def test_partition_run_replaces_only_its_month(sourced: WarehouseResource) -> None:
    run_assets(sourced, tags=full_range_run_tags(AS_OF))
    before = indicator_rows(sourced)
    with sourced.begin() as conn:
        conn.execute(text("UPDATE mart.fact_case SET payment = NULL WHERE case_key IN ('C5', 'C1')"))
    run_assets(sourced, partition_key="2025-06-01")
    after = indicator_rows(sourced)
    assert set(before) - set(after) == {
        (JUN, "U1", "online_payment_rate"),
        (JUN, "ALL", "online_payment_rate"),
    }
    assert after[(MAY, "U1", "online_payment_rate")] == before[(MAY, "U1", "online_payment_rate")]
