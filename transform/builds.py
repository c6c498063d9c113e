"""Builds: each declared once (the log it consumes, the table it publishes, its SQL), all run by one runner.

A build publishes a table from those before it, in full or from the change-log entries it has not consumed
yet. The runner does what every build shares, in the caller's transaction:

1. lock the tables the build writes;
2. plan: read its cursor (`staging.build_cursor`), stage the pending entries of the log it consumes (temp
   table `pending_raw` or `pending_changes`), and decide whether it runs in full, and why;
3. run the build's `compute`, which computes and publishes its rows (all of them, or those the pending
   entries affect) and says how many rows it read;
4. when it ran in full and builds come after it, log a rebuild entry, so that they rebuild in full too;
5. save its cursor: the last entry consumed (also those it logged itself: it holds the log's lock), the run
   inputs its rows depend on and its code version; after the staging build, prune the logs.

A build's code version is a fingerprint of its SQL (the statements' text without comments) and of the
fragments its `compute` passes to the templates (`shape`). It is the asset's Dagster `code_version` and is
kept in the cursor: a changed one rebuilds the build in full, and through its rebuild entry what comes after.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from core.local_time import local_date
from core.sql_files import named_statements, sql
from resources.publication import Publication
from resources.table_versions import raise_version
from transform import change_log
from transform.change_log import CHANGE_LOG_SQL, Log
from transform.statements import run_template

COMMENT = re.compile(r"--[^\n]*")
TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*")


class Param(StrEnum):
    """A run input the rows of a build depend on, kept in its cursor."""

    CUTOVER = "cutover"  # CUTOVER_AT: a change rebuilds in full
    AS_OF_DATE = "as_of_date"  # the local date of as_of (days open): a change rebuilds in full
    AS_OF = "as_of"  # as_of itself, kept for the build to read (the count builds compare it with the next)


@dataclass(frozen=True)
class BuildInputs:
    """What a run gives its builds: its as_of, CUTOVER_AT, the applicant key, whether to rebuild in full."""

    as_of: datetime | None = None
    cutover: datetime | None = None
    full: bool = False
    pii_hash_key: str = field(default="", repr=False)


@dataclass(frozen=True)
class Cursor:
    """What a build's last run consumed and depended on."""

    last_change_id: int
    as_of: datetime | None
    cutover_at: datetime | None
    first_month: date | None
    code_version: str | None


Compute = Callable[[Connection, "BuildRun"], Publication]
RebuildWhen = Callable[[Connection, BuildInputs], str | None]


@dataclass(frozen=True)
class Build:
    """One build: its name (the cursor's), what it publishes and also writes, the log it consumes, the builds
    whose full rebuild rebuilds it, the run inputs its rows depend on, and what computes them."""

    name: str
    publishes: str
    sql: tuple[str, ...]
    compute: Compute = field(repr=False, compare=False)
    reads: Log = Log.STAGING
    after: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    writes: tuple[str, ...] = ()
    shape: tuple[str, ...] = ()
    rebuild_when: RebuildWhen | None = field(default=None, repr=False, compare=False)

    def code_version(self) -> str:
        """The fingerprint of its SQL statements (comments and layout left out) and of its `shape`."""
        digest = hashlib.sha256()
        for path in self.sql:
            for name, statement in named_statements(path).items():
                digest.update(f"{name}\0{' '.join(COMMENT.sub('', statement).split())}\0".encode())
        for fragment in self.shape:
            digest.update(f"{fragment}\0".encode())
        return digest.hexdigest()[:16]


@dataclass
class BuildRun:
    """One run of a build: full or on the pending entries `(last_change_id, horizon]` and why, the cursor it
    started from, and what it read and published."""

    build: Build
    inputs: BuildInputs
    full: bool
    reason: str
    last_change_id: int
    horizon: int
    changes: int
    previous: Cursor | None = None
    first_month: date | None = None
    rows_read: int = 0
    published: Publication = field(default_factory=Publication)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def previous_as_of(self) -> datetime | None:
        """The as_of of the last run (kept by builds that depend on as_of)."""
        return self.previous.as_of if self.previous else None

    @property
    def previous_first_month(self) -> date | None:
        """The first month the last run counted from (kept by the count builds)."""
        return self.previous.first_month if self.previous else None

    @property
    def mode(self) -> str:
        """`full` or `incremental`."""
        return "full" if self.full else "incremental"

    def as_metadata(self) -> dict[str, Any]:
        """What the build did, for Dagster metadata."""
        return {
            **self.published.as_metadata(),
            "build_mode": self.mode,
            "build_reason": self.reason,
            "changes_consumed": self.changes,
            "rows_read": self.rows_read,
            "rows_written": self.published.rows_written,
            **self.extra,
        }


def full_reason(
    build: Build, inputs: BuildInputs, cursor: Cursor | None, upstream_rebuilt: bool, found: str | None
) -> str | None:
    """Why the build must run in full (asked to, a reason found in the data, no cursor yet, changed code, an
    upstream rebuild, a changed run input it depends on), or None when it can run on the pending entries."""
    if inputs.full:
        return "full rebuild requested (run tag egov_sync/full_rebuild)"
    if found:
        return found
    if cursor is None:
        return "first build"
    if cursor.code_version != build.code_version():
        was = cursor.code_version or "not recorded"
        return f"its code changed since the last build (code version {build.code_version()}, was {was})"
    if upstream_rebuilt:
        return "an upstream build was rebuilt in full"
    if Param.CUTOVER in build.params and cursor.cutover_at != inputs.cutover:
        return "CUTOVER_AT changed since the last build"
    if Param.AS_OF_DATE in build.params and (
        cursor.as_of is None or inputs.as_of is None or local_date(cursor.as_of) != local_date(inputs.as_of)
    ):
        return "the local date of as_of changed since the last build"
    return None


def read_cursor(conn: Connection, name: str) -> Cursor | None:
    """A build's cursor, locked until the transaction ends; None before its first run."""
    row = conn.execute(sql(CHANGE_LOG_SQL, "read_cursor"), {"consumer": name}).first()
    if row is None:
        return None
    return Cursor(int(row.last_change_id), row.as_of, row.cutover_at, row.first_month, row.code_version)


def plan(conn: Connection, build: Build, inputs: BuildInputs, found: str | None = None) -> BuildRun:
    """Lock the build's log, read its cursor, stage its pending entries and decide full or incremental."""
    change_log.lock(conn, build.reads)
    cursor = read_cursor(conn, build.name)
    until = change_log.horizon(conn, build.reads)
    last = cursor.last_change_id if cursor else 0
    changes, rebuilds = change_log.stage_pending(conn, build.reads, last, until, build.after)
    reason = full_reason(build, inputs, cursor, rebuilds > 0, found)
    why = reason or "changes since the last build"
    return BuildRun(build, inputs, reason is not None, why, last, until, changes, cursor)


def save_cursor(conn: Connection, run: BuildRun) -> None:
    """Record that the build consumed its log up to now, with the run inputs it depends on and its code."""
    build, inputs = run.build, run.inputs
    consumed = run.horizon if build.reads is Log.RAW else change_log.horizon(conn, Log.STAGING)
    keeps_as_of = Param.AS_OF in build.params or Param.AS_OF_DATE in build.params
    conn.execute(
        sql(CHANGE_LOG_SQL, "save_cursor"),
        {
            "consumer": build.name,
            "last_change_id": consumed,
            "as_of": inputs.as_of if keeps_as_of else None,
            "cutover_at": inputs.cutover if Param.CUTOVER in build.params else None,
            "first_month": run.first_month,
            "code_version": build.code_version(),
        },
    )


def lock_tables(conn: Connection, tables: tuple[str, ...]) -> None:
    """Lock tables (declared `schema.table` names) against other writers until the transaction ends."""
    for table in tables:
        if not TABLE_NAME.fullmatch(table):
            raise ValueError(f"{table!r} is not a schema-qualified table name")
    run_template(conn, CHANGE_LOG_SQL, "lock_tables", tables=", ".join(tables))


class Registry:
    """The declared builds: who consumes which log, who comes after whom, and the runner of them all."""

    def __init__(self, *builds: Build) -> None:
        names = [build.name for build in builds]
        if len(set(names)) != len(names):
            raise ValueError(f"two builds share a name: {names}")
        for build in builds:
            unknown = set(build.after) - set(names)
            if unknown:
                raise ValueError(f"build {build.name} comes after builds not declared: {sorted(unknown)}")
        self.builds = builds

    def with_builds(self, *builds: Build) -> Registry:
        """This registry with more builds."""
        return Registry(*self.builds, *builds)

    def consumers(self, log: Log = Log.STAGING) -> list[str]:
        """The builds that consume a log: its entries are kept until each of them consumed them."""
        return [build.name for build in self.builds if build.reads is log]

    def followed(self, name: str) -> bool:
        """True when a build comes after `name` (so a full rebuild of it is logged)."""
        return any(name in build.after for build in self.builds)

    def run(self, conn: Connection, build: Build, inputs: BuildInputs) -> BuildRun:
        """Run one declared build in the caller's transaction: lock, plan, compute, log, save the cursor."""
        if build not in self.builds:
            raise ValueError(f"build {build.name} is not declared in the registry")
        lock_tables(conn, (build.publishes, *build.writes))
        found = build.rebuild_when(conn, inputs) if build.rebuild_when else None
        run = plan(conn, build, inputs, found)
        run.published = build.compute(conn, run)
        if run.published.rows_written and not run.published.version_raised:
            raise_version(conn, build.publishes)
        if run.full and self.followed(build.name):
            change_log.log_rebuild(conn, build.name)
        save_cursor(conn, run)
        if build.reads is Log.RAW:
            change_log.prune(conn, run.horizon, self.consumers(Log.STAGING))
        return run
