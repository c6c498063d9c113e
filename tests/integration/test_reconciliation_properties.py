"""Property: the reconciliation conserves records, ignores input order and agrees with the ground truth."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from resources.warehouse import WarehouseResource
from tests.builders import (
    CUTOVER,
    SELECT_RECONCILIATION,
    egov_case,
    insert,
    local,
    newsys_case,
    reconciliation_multiset,
    unit,
)
from tests.oracle.backlog_reconciliation import link_migrated, reconciliation_rows
from tests.oracle.model import Model, UnitChains
from tests.oracle.source_records import Case
from transform.builds import BuildInputs
from transform.case_universe import CASE_LINK, STAGING_CASE
from transform.reconciliation import RECONCILIATION
from transform.registry import run_build

UNITS = [unit("U1", "U2"), unit("U2"), unit("U3", "U4"), unit("U4", "U3")]
CASE_NUMBERS = ["A-1", "a1", "B 2", "Đ-4", "C5"]
LEGACY_NUMBERS = ["b2", "B-2", "đ4", "Đ 4", "c 5", "C5", "a-1", "Z9", None]
RECEIVED = [local(2024, 11, 5, 9, 30, 0), local(2024, 11, 5, 9, 30, 40), local(2024, 12, 23, 23, 59), CUTOVER]
FINISHED = [local(2024, 12, 20), CUTOVER, local(2025, 2, 1)]
BACKLOG_OUTCOMES = {"finished_in_egov", "residue", "migrated", "migrated_mismatch", "double_handled"}

common = {
    "procedure_code": st.sampled_from(["P1", "P2"]),
    "original_unit_code": st.sampled_from(["U1", "U2", "U3", "ZZ", None]),
    "received_at": st.sampled_from(RECEIVED),
    "applicant_id": st.sampled_from(["X", "Y", None]),
}
egov_rows = st.lists(
    st.fixed_dictionaries(
        {
            "case_no": st.sampled_from(CASE_NUMBERS),
            "status_code": st.sampled_from([4, 9]),
            "finished_at": st.sampled_from(FINISHED),
            **common,
        }
    ),
    min_size=1,
    max_size=7,
)
new_rows = st.lists(
    st.fixed_dictionaries(
        {
            "legacy_case_no_raw": st.sampled_from(LEGACY_NUMBERS),
            "origin": st.sampled_from(["EGOV", "EGOV", "MOI"]),
            "is_deleted": st.sampled_from([False, False, False, True]),
            **common,
        }
    ),
    max_size=7,
)


def build_world(egov: list[dict], new: list[dict]) -> tuple[list[dict], list[dict]]:
    """Raw rows with unique keys (new-system ids chosen so byte order differs from numeric order)."""
    egov_raw = [egov_case(**{**row, "egov_id": i + 1}) for i, row in enumerate(egov)]
    new_raw = [newsys_case(f"N{i * 7 % 11}{i}", **row) for i, row in enumerate(new)]
    return egov_raw, new_raw


def publish(warehouse: WarehouseResource, egov: list[dict], new: list[dict]) -> Counter:
    """Reset the warehouse, land the rows in the given order, reconcile; return the rows as a multiset."""
    with warehouse.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE raw.egov_case, raw.newsys_case, raw.newsys_unit, staging.case_no_key,"
                " mart.backlog_reconciliation"
            )
        )
        insert(conn, "newsys_unit", *UNITS)
        insert(conn, "egov_case", *egov)
        insert(conn, "newsys_case", *new)
        inputs = BuildInputs(cutover=CUTOVER, full=True)
        for build in (STAGING_CASE, CASE_LINK, RECONCILIATION):
            run_build(conn, build, inputs)
        return reconciliation_multiset(conn.execute(SELECT_RECONCILIATION).mappings())


def truth_case(row: dict[str, Any], source: str) -> Case:
    """The ground-truth model's view of one raw row."""
    return Case(
        source=source,
        record_key=str(row.get("egov_id", row["case_no"])),
        case_no=row["case_no"],
        legacy_case_no_raw=row.get("legacy_case_no_raw"),
        origin=row.get("origin"),
        procedure_code=row["procedure_code"],
        original_unit_code=row["original_unit_code"],
        channel=1,
        status_code=row["status_code"],
        received_at=row["received_at"],
        due_at=row["due_at"],
        finished_at=row["finished_at"] if row["is_terminal"] else None,
        returned_at=None,
        has_result=False,
        has_e_result=False,
        is_digitized=False,
        payment=None,
        rating=None,
        has_apology=False,
        synced_national=None,
        stop_reason=None,
        applicant_id=row["applicant_id"],
        handlers=frozenset(),
        is_deleted=row["is_deleted"],
    )


def truth_rows(egov: list[dict], new: list[dict]) -> Counter:
    """The simulator's expected reconciliation of the same rows."""
    units = UnitChains({u["unit_code"]: u["successor_code"] for u in UNITS})
    model = Model(
        quarantine={},
        egov=[truth_case(r, "egov") for r in egov],
        newsys=[truth_case(r, "newsys") for r in new],
        officials=[],
        catalogue=frozenset(),
        units=units,
    )
    rows = reconciliation_rows(model, link_migrated(model), CUTOVER)
    return reconciliation_multiset(rows)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(egov=egov_rows, new=new_rows, seed=st.integers(0, 2**16))
def test_reconciliation_conserves_and_ignores_order(
    warehouse: WarehouseResource, egov: list[dict], new: list[dict], seed: int
) -> None:
    egov_raw, new_raw = build_world(egov, new)
    published = publish(warehouse, egov_raw, new_raw)

    backlog = Counter(
        r["case_no"]
        for r in egov_raw
        if r["received_at"] < CUTOVER and (not r["is_terminal"] or r["finished_at"] >= CUTOVER)
    )
    assert Counter(row[0] for row in published.elements() if row[2] in BACKLOG_OUTCOMES) == backlog
    migrated = sorted(r["case_no"] for r in new_raw if r["origin"] == "EGOV" and not r["is_deleted"])
    assert sorted(row[1] for row in published.elements() if row[1] is not None) == migrated

    shuffler = random.Random(seed)
    shuffler.shuffle(egov_raw)
    shuffler.shuffle(new_raw)
    assert publish(warehouse, egov_raw, new_raw) == published
    assert published == truth_rows(egov_raw, new_raw)
