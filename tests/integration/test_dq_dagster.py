"""The data-quality asset and checks in a real Dagster run: WARN findings publish, broken structure blocks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import httpx
import pytest
from sqlalchemy import Connection

from assets import quality
from core.run_clock import AS_OF_TAG
from expectations.rules import BUSINESS_RULES, FACT_CASE_INTEGRITY, RULES
from expectations.validation import validation_page
from resources.alerting import AlertingResource
from resources.settings import PipelineSettings
from resources.static_site import serving_folder
from resources.warehouse import WarehouseResource
from tests.integration.dq_rows import T0, add_case, add_procedure

UPSTREAM_KEYS = [
    ["staging", "case"],
    ["raw", "newsys_case"],
    ["raw", "egov_case"],
    ["raw", "newsys_official"],
    ["raw", "newsys_procedure"],
    ["mart", "fact_petition"],
    ["mart", "fact_rating"],
]


def stand_in(key: list[str]) -> dg.AssetsDefinition:
    """An upstream asset whose rows each test plants itself."""

    @dg.asset(key=key)
    def _asset() -> None:
        """Nothing to build."""

    return _asset


INDICATORS = dg.AssetKey(["mart", "indicator_monthly"])
CHECKS = [
    quality.fact_case_integrity_checks,
    quality.fact_case_quality_checks,
    quality.newsys_official_quality_checks,
    quality.egov_case_quality_checks,
    quality.newsys_case_quality_checks,
    quality.fact_petition_quality_checks,
    quality.fact_rating_quality_checks,
]


def pipeline(plant: Callable[[Connection], None]) -> list[dg.AssetsDefinition]:
    """A stand-in `mart/fact_case` that plants rows, an indicator mart on it, and the quality assets."""

    upstream = [stand_in(key) for key in UPSTREAM_KEYS]

    @dg.asset(key=["mart", "fact_case"], deps=upstream)
    def fact_case(warehouse: WarehouseResource) -> None:
        with warehouse.begin() as conn:
            add_procedure(conn, "P1")
            plant(conn)

    @dg.asset(key=INDICATORS, deps=[fact_case])
    def indicator_monthly() -> None:
        """Stands for the indicator marts built on the case universe."""

    return [*upstream, fact_case, indicator_monthly, quality.dq_results, *CHECKS]


def run(
    warehouse: WarehouseResource, plant: Callable[[Connection], None]
) -> dg.ExecuteInProcessResult:
    """Materialize the stand-in pipeline with its checks."""
    return dg.materialize(
        pipeline(plant),
        resources={
            "warehouse": warehouse,
            "settings": PipelineSettings(pii_hash_key="test-key"),
            "alerts": AlertingResource(warehouse_url=warehouse.url),
        },
        tags={AS_OF_TAG: T0.isoformat()},
        raise_on_error=False,
    )


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    """Check evaluations of the run by check name."""
    return {evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()}


@pytest.fixture(autouse=True)
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the Data Docs of the test in its own folder."""
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path))
    return tmp_path


def test_business_rule_findings_warn_alert_and_publish(
    warehouse: WarehouseResource, data_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def plant(conn: Connection) -> None:
        add_case(conn, "N-OK")
        add_case(conn, "N-BAD", has_result=False)

    with caplog.at_level(logging.WARNING, logger="egov_sync.alerts"):
        result = run(warehouse, plant)
    assert result.success
    assert INDICATORS in {event.asset_key for event in result.get_asset_materialization_events()}

    found = evaluations(result)
    assert len(found) == len(RULES)
    closed = found["closed_case_has_result"]
    assert not closed.passed and closed.severity == dg.AssetCheckSeverity.WARN
    assert closed.metadata["element_count"].value == 2
    assert closed.metadata["unexpected_count"].value == 1
    assert closed.metadata["unexpected_percent"].value == 50.0
    assert closed.metadata["offender_sample"].value == ["N-BAD"]
    assert found["fact_case_key_unique"].passed
    assert any("ALERT data_quality" in message for message in caplog.messages)

    docs = result.asset_materializations_for_node("mart__dq_results")[0].metadata["data_docs"].value
    assert Path(docs) == data_folder / "gx" / "index.html" and Path(docs).exists()
    pages = {"closed_case_has_result": BUSINESS_RULES, "fact_case_key_unique": FACT_CASE_INTEGRITY}
    for check, suite in pages.items():
        page = Path(found[check].metadata["data_docs"].value)
        assert page == validation_page(suite, T0, data_folder / "gx") and page.is_file()
        assert page.relative_to(data_folder / "gx").parts[:2] == ("validations", suite)


def test_broken_case_universe_blocks_the_marts_built_on_it(warehouse: WarehouseResource) -> None:
    def plant(conn: Connection) -> None:
        add_case(conn, "N-OK")
        add_case(conn, "N-BAD", status_code=11, staged=False)

    result = run(warehouse, plant)
    assert not result.success  # a broken case universe is a pipeline fault, not a finding
    status = evaluations(result)["fact_case_status_code_valid"]
    assert not status.passed and status.severity == dg.AssetCheckSeverity.ERROR
    assert INDICATORS not in {event.asset_key for event in result.get_asset_materialization_events()}


def test_checks_link_their_data_docs_pages_over_http(
    warehouse: WarehouseResource, data_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def plant(conn: Connection) -> None:
        add_case(conn, "N-BAD", has_result=False)

    with serving_folder(data_folder / "gx") as site_url:
        monkeypatch.setenv("EGOV_SYNC_DATA_DOCS_URL", site_url)
        result = run(warehouse, plant)
        assert result.success
        pages = {"closed_case_has_result": BUSINESS_RULES, "fact_case_key_unique": FACT_CASE_INTEGRITY}
        for check, suite in pages.items():
            link = evaluations(result)[check].metadata["data_docs_url"]
            assert isinstance(link, dg.UrlMetadataValue)
            assert link.url.startswith(f"{site_url}validations/{suite}/")
            page = httpx.get(link.url, timeout=10)
            assert page.status_code == 200 and "text/html" in page.headers["content-type"]
            assert suite in page.text
        index = result.asset_materializations_for_node("mart__dq_results")[0].metadata["data_docs_url"]
        assert index.url == site_url + "index.html"
        assert httpx.get(index.url, timeout=10).status_code == 200
