"""The staging, reconciliation, fact_case and residue assets materialised by Dagster, with their checks."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from assets import fact_case, reconciliation, residue, staging
from core.run_clock import AS_OF_TAG
from resources.alerting import AlertingResource
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from tests.builders import egov_case, insert, migrated_case, unit

MODULES = [staging, reconciliation, fact_case, residue]


def materialize(warehouse: WarehouseResource) -> dg.ExecuteInProcessResult:
    """Materialise every asset and check of this issue's modules once."""
    assets = dg.load_assets_from_modules(MODULES)
    checks = dg.load_asset_checks_from_modules(MODULES)
    return dg.materialize(
        [*assets, *checks],
        resources={
            "warehouse": warehouse,
            "settings": PipelineSettings(pii_hash_key="test-key"),
            "alerts": AlertingResource(warehouse_url=warehouse.url),
        },
        tags={AS_OF_TAG: "2025-07-15T01:00:00+07:00"},
    )


def metadata(result: dg.ExecuteInProcessResult, *path: str) -> dict:
    """The metadata values of one asset's materialisation."""
    (event,) = result.asset_materializations_for_node("__".join(path))
    return {key: getattr(value, "value", value) for key, value in event.metadata.items()}


def test_assets_publish_and_checks_pass(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        insert(conn, "newsys_unit", unit("U1", "U2"), unit("U2"))
        insert(conn, "egov_case", egov_case("E-1"), egov_case("E-2"), egov_case("E-3", status_code=9))
        insert(conn, "newsys_case", migrated_case("N1", "e1"), migrated_case("N2", "E1", procedure_code="P9"))
    result = materialize(warehouse)
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert len(checks) == 4 and all(check.passed for check in checks)
    recon = metadata(result, "mart", "backlog_reconciliation")
    assert recon["residue"] == 1 and recon["rows_inserted"] == 3
    assert "| migrated | 1 |" in recon["outcomes"] and "| duplicate_migrated | 1 |" in recon["outcomes"]
    assert "procedure_code" in recon["mismatch_sample"]
    snapshot = metadata(result, "mart", "backlog_residue_snapshot")
    assert snapshot["residue"] == 1 and snapshot["alert_raised"] is True
    assert "| U2 | 1 |" in snapshot["residue_by_unit"]

    again = materialize(warehouse)
    for path in (("mart", "backlog_reconciliation"), ("mart", "fact_case"), ("mart", "residue_case")):
        changed = metadata(again, *path)
        assert (changed["rows_inserted"], changed["rows_updated"], changed["rows_deleted"]) == (0, 0, 0)


def test_checks_fail_when_conservation_breaks(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        insert(conn, "egov_case", egov_case("E-1"))
        insert(conn, "newsys_case", migrated_case("N1", "E1"), migrated_case("N2", None, applicant_id="Q"))
    assert materialize(warehouse).success
    with warehouse.begin() as conn:
        conn.execute(sa.text("DELETE FROM mart.backlog_reconciliation WHERE new_case_id = 'N2'"))
        conn.execute(
            sa.text(
                "INSERT INTO mart.backlog_reconciliation (legacy_case_no, outcome) VALUES ('E-1', 'residue')"
            )
        )
    settings = PipelineSettings(pii_hash_key="test-key")
    backlog = reconciliation.every_backlog_case_has_one_row(warehouse=warehouse, settings=settings)
    migrated = reconciliation.every_migrated_record_appears_once(warehouse=warehouse)
    assert not backlog.passed and "| E-1 | 1 | 2 |" in backlog.metadata["violations"].value
    assert not migrated.passed and "| N2 | 0 |" in migrated.metadata["violations"].value
