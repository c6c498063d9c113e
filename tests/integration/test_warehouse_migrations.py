"""The migration mechanism against a real PostgreSQL."""

from sqlalchemy import text

from resources.warehouse import WarehouseResource


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
        assert conn.execute(text("SHOW timezone")).scalar() == "Asia/Ho_Chi_Minh"
