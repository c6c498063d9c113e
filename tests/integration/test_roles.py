"""The warehouse's roles: a reporting login reads every mart table and nothing in raw or staging; a pipeline
login writes everything. Tables are enumerated from the catalogue, so a new one is covered automatically."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from resources import migrations
from resources.migrations import MIGRATIONS_DIR, discover_migrations
from resources.warehouse import WarehouseResource

PERSONAL_SCHEMAS = ("raw", "staging")
TABLE_KINDS = ("r", "p", "v", "m", "f")
PSEUDONYMISED = {("mart", "fact_case", "applicant_key")}


def conninfo(warehouse: WarehouseResource, user: str | None = None) -> str:
    """A libpq connection string for the warehouse, as its own user or as `user`."""
    url = make_url(warehouse.url)
    params = {"dbname": url.database, "user": user or url.username or "postgres", **url.query}
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = url.port
    return psycopg.conninfo.make_conninfo(**params)


@contextmanager
def login_in(warehouse: WarehouseResource, group: str) -> Iterator[psycopg.Connection]:
    """A connection as a throw-away LOGIN user that is a member of `group`; the user is dropped after."""
    user = f"egov_sync_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(conninfo(warehouse), autocommit=True) as admin:
        create = sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}")
        admin.execute(create.format(sql.Identifier(user), sql.Identifier(group)))
    try:
        with psycopg.connect(conninfo(warehouse, user), autocommit=True) as conn:
            yield conn
    finally:
        with psycopg.connect(conninfo(warehouse), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(user)))


def tables(warehouse: WarehouseResource, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every table and view of `schemas`, from the catalogue."""
    with psycopg.connect(conninfo(warehouse)) as conn:
        return conn.execute(
            "SELECT n.nspname, c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace"
            " WHERE n.nspname = ANY(%s) AND c.relkind = ANY(%s) ORDER BY 1, 2",
            (list(schemas), list(TABLE_KINDS)),
        ).fetchall()


def columns(conn: psycopg.Connection, schema: str, table: str) -> list[str]:
    """The columns of a table, from the catalogue."""
    rows = conn.execute(
        "SELECT a.attname FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid"
        " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        (schema, table),
    ).fetchall()
    return [name for (name,) in rows]


def can_select(conn: psycopg.Connection, schema: str, table: str, names: list[str]) -> bool:
    """True when a SELECT of these columns is allowed, False when it is refused for lack of privilege."""
    query = sql.SQL("SELECT {} FROM {} LIMIT 1").format(
        sql.SQL(", ").join(map(sql.Identifier, names)), sql.Identifier(schema, table)
    )
    try:
        conn.execute(query).fetchall()
    except psycopg.errors.InsufficientPrivilege:
        return False
    return True


def can_read(conn: psycopg.Connection, schema: str, table: str) -> bool:
    """True when every column of the table but the pseudonymised ones may be selected."""
    names = [name for name in columns(conn, schema, table) if (schema, table, name) not in PSEUDONYMISED]
    return can_select(conn, schema, table, names)


@pytest.fixture
def later_tables(warehouse: WarehouseResource) -> Iterator[None]:
    """A mart table and a raw table created after the migrations, as a later migration would."""
    with psycopg.connect(conninfo(warehouse), autocommit=True) as conn:
        conn.execute("CREATE TABLE mart.later_mart (x int)")
        conn.execute("CREATE TABLE raw.later_raw (applicant_id text)")
    yield


def test_reporting_reads_every_mart_table_and_nothing_personal(
    warehouse: WarehouseResource, later_tables: None
) -> None:
    mart = tables(warehouse, ("mart",))
    personal = tables(warehouse, PERSONAL_SCHEMAS)
    assert ("mart", "fact_case") in mart and ("mart", "later_mart") in mart
    assert ("raw", "newsys_case") in personal and ("staging", "case") in personal
    assert ("raw", "later_raw") in personal
    with login_in(warehouse, "egov_sync_reporting") as conn:
        readable_mart = [t for t in mart if can_read(conn, *t)]
        readable_personal = [t for t in personal if can_read(conn, *t)]
        pseudonymised = [can_select(conn, schema, table, [name]) for schema, table, name in PSEUDONYMISED]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM mart.fact_case")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM meta.schema_migration")
    assert readable_mart == mart
    assert readable_personal == []
    assert pseudonymised == [False] * len(PSEUDONYMISED)


def test_pipeline_role_reads_and_writes_every_table(warehouse: WarehouseResource, later_tables: None) -> None:
    everything = tables(warehouse, ("raw", "staging", "mart", "meta"))
    with login_in(warehouse, "egov_sync_pipeline") as conn:
        missing = conn.execute(
            "SELECT t.schema_name, t.table_name"
            " FROM unnest(%s::text[], %s::text[]) AS t(schema_name, table_name)"
            " WHERE NOT has_table_privilege(format('%%I.%%I', t.schema_name, t.table_name),"
            "                               'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')",
            ([s for s, _ in everything], [t for _, t in everything]),
        ).fetchall()
        owners = conn.execute(
            "SELECT DISTINCT pg_get_userbyid(nspowner) FROM pg_namespace"
            " WHERE nspname IN ('raw', 'staging', 'mart', 'meta')"
        ).fetchall()
        with conn.transaction(force_rollback=True):
            conn.execute("TRUNCATE staging.case_link")
    assert missing == []
    assert owners == [("egov_sync_pipeline",)]


def test_roles_migration_is_idempotent_across_databases(warehouse: WarehouseResource) -> None:
    with psycopg.connect(conninfo(warehouse), autocommit=True) as conn:
        roles = conn.execute(
            "SELECT rolname, rolcanlogin FROM pg_roles"
            " WHERE rolname IN ('egov_sync_pipeline', 'egov_sync_reporting') ORDER BY 1"
        ).fetchall()
    assert roles == [("egov_sync_pipeline", False), ("egov_sync_reporting", False)]
    assert warehouse.migrate() == []


def test_a_later_migration_run_by_a_pipeline_login_stays_readable_to_reporting(
    warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    (folder / "999_later_mart.sql").write_text("CREATE TABLE mart.later_by_login (x int);", encoding="utf-8")
    monkeypatch.setattr(migrations, "discover_migrations", lambda: discover_migrations(folder))
    user = f"egov_sync_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(conninfo(warehouse), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE egov_sync_pipeline").format(sql.Identifier(user)))
    try:
        url = make_url(warehouse.url).set(username=user)
        engine = create_engine(url)
        with engine.begin() as conn:
            assert migrations.apply_migrations(conn) == ["999_later_mart.sql"]
        engine.dispose()
        with login_in(warehouse, "egov_sync_reporting") as conn:
            assert can_read(conn, "mart", "later_by_login")
    finally:
        with psycopg.connect(conninfo(warehouse), autocommit=True) as admin:
            admin.execute("DROP TABLE IF EXISTS mart.later_by_login")
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(user)))
