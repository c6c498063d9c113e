"""Which PostgreSQL server to use for tests and benchmarks, and throw-away databases on it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from resources.embedded_postgres import sqlalchemy_url, start_embedded_server
from resources.warehouse import WarehouseResource, engine_for

LOCAL_SERVER_URI = "postgresql://postgres@127.0.0.1:5432/test"


def local_server_available(uri: str = LOCAL_SERVER_URI) -> bool:
    """True when a PostgreSQL server answers at `uri`."""
    try:
        with psycopg.connect(uri, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def server_uri(embedded_dir: Path) -> str:
    """The admin URI to use: TEST_PG_URI, the local server, or an embedded one under `embedded_dir`.

    `TEST_PG_EMBEDDED=1` forces the embedded server, to check the fallback on a machine that has a local one.
    """
    if os.environ.get("TEST_PG_URI"):
        return os.environ["TEST_PG_URI"]
    if os.environ.get("TEST_PG_EMBEDDED") != "1" and local_server_available():
        return LOCAL_SERVER_URI
    return start_embedded_server(embedded_dir)


def create_database(admin_uri: str, template: str | None = None, prefix: str = "egov_sync_test") -> str:
    """Create a uniquely named database (optionally from a template); return its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        )
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        conn.execute(query)
    return name


def drop_database(admin_uri: str, name: str) -> None:
    """Drop a throw-away database, closing what still uses it."""
    engine_for(sqlalchemy_url(admin_uri, name)).dispose()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def scratch_warehouse(
    admin_uri: str, prefix: str = "egov_sync_bench", *, keep: bool = False
) -> Iterator[WarehouseResource]:
    """A migrated throw-away warehouse on the server, dropped afterwards unless `keep`."""
    name = create_database(admin_uri, prefix=prefix)
    warehouse = WarehouseResource(url=sqlalchemy_url(admin_uri, name))
    try:
        warehouse.migrate()
        yield warehouse
    finally:
        engine_for(warehouse.url).dispose()
        if not keep:
            drop_database(admin_uri, name)
