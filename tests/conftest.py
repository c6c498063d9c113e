"""Shared fixtures (a fresh migrated warehouse per test, on a real PostgreSQL server) and the test tiers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database, server_uri
from resources.warehouse import WarehouseResource
from tests.pg import migrated_template

TESTS_DIR = Path(__file__).parent
TIER_MARKERS = {"integration": pytest.mark.integration, "e2e": pytest.mark.e2e}
DATABASE_FIXTURES = frozenset({"pg_admin_uri", "template_db", "warehouse"})


def tier_of(item: pytest.Item) -> str:
    """The folder under `tests/` a test lives in (`unit`, `integration`, `e2e`; '' outside `tests/`)."""
    return item.path.relative_to(TESTS_DIR).parts[0] if item.path.is_relative_to(TESTS_DIR) else ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark integration and e2e tests by their folder; refuse a unit test that needs PostgreSQL."""
    misplaced = []
    for item in items:
        tier = tier_of(item)
        if tier in TIER_MARKERS:
            item.add_marker(TIER_MARKERS[tier])
        elif tier == "unit" and DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            misplaced.append(item.nodeid)
    if misplaced:
        raise pytest.UsageError("unit tests must not need PostgreSQL; move them to tests/integration/: "
                                + ", ".join(misplaced))


@pytest.fixture(scope="session")
def pg_admin_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Admin URI of the PostgreSQL server the tests use."""
    return server_uri(tmp_path_factory.mktemp("embedded-pg"))


@pytest.fixture(scope="session")
def template_db(pg_admin_uri: str) -> Iterator[str]:
    """A migrated template database, built once per test session."""
    name = migrated_template(pg_admin_uri)
    yield name
    drop_database(pg_admin_uri, name)


@pytest.fixture
def warehouse(pg_admin_uri: str, template_db: str) -> Iterator[WarehouseResource]:
    """A fresh, migrated warehouse database for one test."""
    name = create_database(pg_admin_uri, template=template_db)
    yield WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    drop_database(pg_admin_uri, name)
