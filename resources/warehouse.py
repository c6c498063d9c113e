"""The PostgreSQL warehouse as a Dagster resource: engine, migrations and COPY access."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TypeVar

import dagster as dg
import psycopg
from pydantic import Field
from sqlalchemy import Connection, Engine, create_engine

from core.environment import read_environment
from core.local_time import LOCAL_TZ_NAME
from resources.migrations import apply_migrations
from resources.warehouse_retry import in_transaction

T = TypeVar("T")


def session_options() -> str:
    """Settings of every session: local time (date arithmetic by the Vietnamese calendar), and timeouts so
    that a hung statement or a lock nobody releases cannot hold a run, and the warehouse pool, for ever."""
    settings = read_environment()
    return (
        f"-c timezone={LOCAL_TZ_NAME} -c statement_timeout={settings.statement_timeout_seconds * 1000}"
        f" -c lock_timeout={settings.lock_timeout_seconds * 1000}"
        f" -c idle_in_transaction_session_timeout={settings.statement_timeout_seconds * 1000}"
    )


@cache
def engine_for(url: str) -> Engine:
    """One pooled engine per URL, its sessions set up by `session_options`.

    Statement parameters (the pseudonymisation key, applicants' ID numbers) are kept out of SQLAlchemy's logs
    and error messages.
    """
    return create_engine(
        url,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"options": session_options(), "application_name": "egov-sync"},
    )


def driver_connection(conn: Connection) -> psycopg.Connection:
    """The psycopg connection under a SQLAlchemy connection, for COPY."""
    return conn.connection.driver_connection  # type: ignore[return-value]


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse database (`WAREHOUSE_URL`, a `postgresql+psycopg://` SQLAlchemy URL).

    Its schema is brought up to date when a run (or a step's process) sets the resource up, never by an
    asset.
    """

    url: str = Field(description="SQLAlchemy URL of the warehouse, postgresql+psycopg://...")

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Apply pending migrations before any asset of the run touches the warehouse."""
        applied = self.migrate()
        if applied and context.log is not None:
            context.log.info(f"warehouse migrations applied: {', '.join(applied)}")

    def engine(self) -> Engine:
        """The pooled SQLAlchemy engine."""
        return engine_for(self.url)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction, committed on success."""
        with self.engine().begin() as conn:
            yield conn

    def transaction(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one transaction, all or nothing; again on a fresh connection when it was lost."""
        return in_transaction(self.engine(), work)

    def migrate(self) -> list[str]:
        """Bring the warehouse schema up to date; returns the migration files applied now."""
        with self.begin() as conn:
            return apply_migrations(conn)
