"""Linking rules, outcomes, units and residue of the backlog reconciliation, on a real PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from resources.warehouse import WarehouseResource
from tests.builders import CUTOVER, egov_case, insert, local, migrated_case, newsys_case, unit
from transform.builds import BuildInputs
from transform.case_universe import CASE_LINK, FACT_CASE, STAGING_CASE, normalised_case_no, unit_problems
from transform.reconciliation import RECONCILIATION
from transform.registry import run_build
from transform.residue import RESIDUE_CASE, build_residue_snapshot

AS_OF = local(2025, 7, 15, 1, 0)


def publish(warehouse: WarehouseResource, as_of: Any = AS_OF) -> dict[str, Any]:
    """Run every build in one transaction, as the assets do; return the staging summary."""
    inputs = BuildInputs(as_of=as_of, cutover=CUTOVER, full=True, pii_hash_key="test-key")
    with warehouse.begin() as conn:
        for build in (STAGING_CASE, CASE_LINK, RECONCILIATION, FACT_CASE, RESIDUE_CASE):
            run_build(conn, build, inputs)
        build_residue_snapshot(conn, as_of)
        return {"unit_problems": unit_problems(conn)}


def recon(warehouse: WarehouseResource) -> dict[tuple[str | None, str | None], tuple]:
    """Reconciliation rows keyed by (legacy_case_no, new_case_id)."""
    with warehouse.begin() as conn:
        result = conn.execute(
            text(
                "SELECT legacy_case_no, new_case_id, outcome, match_method, mismatch_fields, unit_code"
                " FROM mart.backlog_reconciliation"
            )
        )
        return {(r[0], r[1]): tuple(r[2:]) for r in result}


def load(warehouse: WarehouseResource, egov: list, newsys: list, units: list | None = None) -> None:
    """Insert raw rows."""
    with warehouse.begin() as conn:
        insert(conn, "egov_case", *egov)
        insert(conn, "newsys_case", *newsys)
        insert(conn, "newsys_unit", *(units or []))


def test_case_number_differing_in_case_and_separators_links(warehouse: WarehouseResource) -> None:
    load(warehouse, [egov_case("hs-2024/00123")], [migrated_case("N1", " HS 2024 00123 ")])
    publish(warehouse)
    assert recon(warehouse) == {("hs-2024/00123", "N1"): ("migrated", "case_no", "", "U1")}


def test_vietnamese_letters_are_kept_by_the_normalisation(warehouse: WarehouseResource) -> None:
    load(
        warehouse,
        [egov_case("đơn-ÂU.01"), egov_case("ĐƠN AU 01", status_code=9)],
        [migrated_case("N1", "ĐƠN/âu_01")],
    )
    publish(warehouse)
    assert normalised_case_no("đơn-ÂU.01") == "ĐƠNÂU01"
    assert recon(warehouse)[("đơn-ÂU.01", "N1")][:2] == ("migrated", "case_no")
    with warehouse.begin() as conn:
        norms = conn.execute(text("SELECT case_no, case_no_norm FROM staging.case_no_key")).all()
    assert {n for _, n in norms} == {"ĐƠNÂU01", "ĐƠNAU01"}


def test_migrated_without_legacy_number_links_by_fingerprint(warehouse: WarehouseResource) -> None:
    load(
        warehouse,
        [egov_case("E1", received_at=local(2024, 11, 5, 9, 30, 47))],
        [migrated_case("N1", None, received_at=local(2024, 11, 5, 9, 30, 0))],
    )
    publish(warehouse)
    assert recon(warehouse) == {("E1", "N1"): ("migrated", "fingerprint", "", "U1")}


def test_ambiguous_fingerprint_stays_unlinked(warehouse: WarehouseResource) -> None:
    load(warehouse, [egov_case("E1"), egov_case("E2", status_code=9)], [migrated_case("N1", None)])
    publish(warehouse)
    assert recon(warehouse) == {
        ("E1", None): ("residue", None, None, "U1"),
        (None, "N1"): ("orphan_migrated", None, None, "U1"),
    }


def test_ambiguous_case_number_links_nothing_by_number(warehouse: WarehouseResource) -> None:
    load(
        warehouse,
        [egov_case("A-1", applicant_id="X"), egov_case("a1", applicant_id="Y")],
        [migrated_case("N1", "A1", applicant_id="Z")],
    )
    publish(warehouse)
    rows = recon(warehouse)
    assert rows[(None, "N1")] == ("orphan_migrated", None, None, "U1")
    assert rows[("A-1", None)][0] == rows[("a1", None)][0] == "residue"


def test_two_migrated_records_for_one_legacy_case(warehouse: WarehouseResource) -> None:
    load(
        warehouse,
        [egov_case("E1")],
        [migrated_case("N2", "E1"), migrated_case("N10", "E-1", procedure_code="P2")],
    )
    publish(warehouse)
    assert recon(warehouse) == {
        ("E1", "N10"): ("migrated_mismatch", "case_no", "procedure_code", "U1"),
        ("E1", "N2"): ("duplicate_migrated", "case_no", "", "U1"),
    }


def test_migrated_record_of_a_case_finished_before_cutover(warehouse: WarehouseResource) -> None:
    load(
        warehouse,
        [egov_case("E1", status_code=9, finished_at=local(2024, 12, 20))],
        [migrated_case("N1", "E1", original_unit_code="U9", received_at=local(2024, 11, 5, 9, 31))],
    )
    publish(warehouse)
    assert recon(warehouse) == {("E1", "N1"): ("orphan_migrated", "case_no", "received_at,unit_code", "U9")}


def test_double_handled_and_finished_in_egov(warehouse: WarehouseResource) -> None:
    load(
        warehouse,
        [
            egov_case("E1", status_code=9, finished_at=local(2025, 1, 3)),
            egov_case("E2", status_code=10, finished_at=CUTOVER),
        ],
        [migrated_case("N1", "E1", applicant_id=None)],
    )
    publish(warehouse)
    assert recon(warehouse) == {
        ("E1", "N1"): ("double_handled", "case_no", "applicant_id", "U1"),
        ("E2", None): ("finished_in_egov", None, None, "U1"),
    }


def test_deleted_and_new_records_link_nothing(warehouse: WarehouseResource) -> None:
    load(
        warehouse,
        [egov_case("E1")],
        [migrated_case("N1", "E1", is_deleted=True), newsys_case("N2", legacy_case_no_raw="E1")],
    )
    publish(warehouse)
    assert recon(warehouse) == {("E1", None): ("residue", None, None, "U1")}


def test_unit_chain_of_two_hops_and_a_cycle(warehouse: WarehouseResource) -> None:
    units = [
        unit("U1", "U2"),
        unit("U2", "U3"),
        unit("U3"),
        unit("C1", "C2"),
        unit("C2", "C1"),
        unit("B1", "GONE"),
    ]
    load(
        warehouse,
        [
            egov_case("E1", original_unit_code="U1"),
            egov_case("E2", original_unit_code="C1"),
            egov_case("E3", original_unit_code="ZZ"),
        ],
        [],
        units,
    )
    summary = publish(warehouse)
    with warehouse.begin() as conn:
        current = dict(
            conn.execute(
                text("SELECT unit_code, current_unit_code || ':' || hops FROM staging.unit_current")
            ).all()
        )
    assert current == {"U1": "U3:2", "U2": "U3:1", "U3": "U3:0", "C1": "C1:0", "C2": "C2:0", "B1": "GONE:1"}
    assert summary["unit_problems"] == [
        {"unit_code": "B1", "problem": "broken_chain", "chain": "B1 -> GONE"},
        {"unit_code": "C1", "problem": "cycle", "chain": "C1 -> C2 -> C1"},
        {"unit_code": "C2", "problem": "cycle", "chain": "C2 -> C1 -> C2"},
    ]
    assert {k[0]: v[3] for k, v in recon(warehouse).items()} == {"E1": "U3", "E2": "C1", "E3": "ZZ"}


def test_fact_case_represents_a_migrated_case_once(warehouse: WarehouseResource) -> None:
    load(
        warehouse,
        [egov_case("E1"), egov_case("E2", status_code=9)],
        [migrated_case("N1", "e-1"), newsys_case("N2"), newsys_case("N3", is_deleted=True)],
    )
    publish(warehouse)
    with warehouse.begin() as conn:
        fact = dict(conn.execute(text("SELECT case_key, legacy_case_no FROM mart.fact_case")).all())
    assert fact == {"N1": "E1", "N2": None, "EGOV:E2": "E2"}


def test_republishing_changes_no_row(warehouse: WarehouseResource) -> None:
    load(
        warehouse,
        [egov_case("E1"), egov_case("E2"), egov_case("E2")],
        [migrated_case("N1", "E1"), migrated_case("N2", None, applicant_id="nobody")],
    )
    publish(warehouse)
    with warehouse.begin() as conn:
        before = mart_xmins(conn)
    publish(warehouse)
    with warehouse.begin() as conn:
        assert mart_xmins(conn) == before


def mart_xmins(conn: Any) -> dict[str, list]:
    """The row versions of every mart table this issue publishes."""
    tables = ["fact_case", "backlog_reconciliation", "backlog_residue_snapshot", "residue_case"]
    return {t: sorted(conn.execute(text("SELECT xmin::text FROM mart." + t)).scalars()) for t in tables}


def test_residue_snapshot_keeps_units_that_had_residue(warehouse: WarehouseResource) -> None:
    load(
        warehouse,
        [
            egov_case("E1", original_unit_code="U1", due_at=local(2025, 1, 10, 17)),
            egov_case("E2", original_unit_code="U2"),
        ],
        [],
    )
    publish(warehouse, local(2025, 7, 14, 23, 30))
    with warehouse.begin() as conn:
        insert(conn, "newsys_case", migrated_case("N1", "E2"))
    publish(warehouse)
    with warehouse.begin() as conn:
        snapshot = conn.execute(
            text(
                "SELECT as_of_date::text, unit_code, residue_count"
                " FROM mart.backlog_residue_snapshot ORDER BY 1, 2"
            )
        ).all()
        case = conn.execute(
            text("SELECT legacy_case_no, unit_code, days_open, days_overdue FROM mart.residue_case")
        ).one()
    assert [tuple(r) for r in snapshot] == [
        ("2025-07-14", "U1", 1),
        ("2025-07-14", "U2", 1),
        ("2025-07-15", "U1", 1),
        ("2025-07-15", "U2", 0),
    ]
    assert tuple(case) == ("E1", "U1", 252, 186)


@pytest.mark.parametrize("value", ["hs-đơn/ăâêôơư ÀẠỸ 01", "ab-12", "Ω·ß"])
def test_python_normalisation_matches_contract(value: str) -> None:
    assert normalised_case_no(value) == "".join(ch for ch in value.upper() if ch.isalnum())
