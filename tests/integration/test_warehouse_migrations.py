"""The migration mechanism against a real PostgreSQL."""

import pytest
from sqlalchemy import text

from core.local_time import LOCAL_TZ_NAME
from resources.migrations import MigrationError, discover_migrations
from resources.warehouse import WarehouseResource

SET_CHECKSUM = text("UPDATE meta.schema_migration SET checksum = :checksum WHERE version = 1")


def test_migrations_are_recorded_and_rerunnable(warehouse: WarehouseResource) -> None:
    assert warehouse.migrate() == []
    with warehouse.begin() as conn:
        statement = text("SELECT version FROM meta.schema_migration ORDER BY version")
        versions = conn.execute(statement).scalars().all()
        schemas = set(conn.execute(text("SELECT nspname FROM pg_namespace")).scalars())
    assert versions and versions[0] == 1
    assert {"raw", "staging", "mart", "meta"} <= schemas


def test_sessions_run_in_local_time(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        assert conn.execute(text("SHOW timezone")).scalar() == LOCAL_TZ_NAME


def test_the_sql_local_zone_is_the_python_one(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        assert conn.execute(text("SELECT meta.local_zone()")).scalar() == LOCAL_TZ_NAME


def test_a_rewritten_migration_is_accepted_only_when_it_declares_the_text_it_replaces(
    warehouse: WarehouseResource,
) -> None:
    first = discover_migrations()[0]
    declared = first.accepted_checksums - {first.checksum}
    assert declared, "001 declares the checksum of its first text"
    with warehouse.begin() as conn:
        conn.execute(SET_CHECKSUM, {"checksum": next(iter(declared))})
    assert warehouse.migrate() == []
    with warehouse.begin() as conn:
        conn.execute(SET_CHECKSUM, {"checksum": "0" * 64})
    with pytest.raises(MigrationError, match="was changed after it was applied"):
        warehouse.migrate()
