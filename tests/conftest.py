"""Shared fixtures: a fresh migrated warehouse per test, on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database, server_uri
from resources.warehouse import WarehouseResource
from tests.pg import migrated_template


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
