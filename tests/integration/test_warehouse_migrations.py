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


def test_upgrading_sets_back_a_watermark_carried_past_what_was_landed_within_the_clock(
    warehouse: WarehouseResource,
) -> None:
    landed = text(
        "INSERT INTO raw.newsys_case (case_no, status_code, is_terminal, has_result, has_e_result,"
        " is_digitized, has_apology, is_deleted, updated_at, payload, fetched_at)"
        " VALUES (:case_no, 4, false, false, false, false, false, false, :updated_at, '{}', :fetched_at)"
    )
    with warehouse.begin() as conn:
        conn.execute(landed, {"case_no": "N-SANE", "updated_at": "2026-11-01 08:00+07",
                              "fetched_at": "2026-11-02 01:00+07"})
        conn.execute(landed, {"case_no": "N-AHEAD", "updated_at": "2026-11-20 08:00+07",
                              "fetched_at": "2026-11-02 01:00+07"})
        for source in ("newsys", "egov"):
            conn.execute(
                text("INSERT INTO raw.watermark VALUES (:source, 'case', '2026-11-20 08:00+07', now(), 'r')"),
                {"source": source},
            )
        conn.execute(text("DELETE FROM meta.schema_migration WHERE name = 'watermark_within_clock'"))
    assert warehouse.migrate() == ["074_watermark_within_clock.sql"]
    with warehouse.begin() as conn:
        kept = dict(conn.execute(text("SELECT source, value::text FROM raw.watermark")).all())
    assert kept == {"newsys": "2026-11-01 08:00:00+07"}
