"""The change logs: what landing and the builds changed, entry by entry, for the builds after them to consume.

`raw.change_log` holds each key landing inserted, updated, quarantined, released or deleted; the staging build
consumes it. `staging.change_log` holds what the builds changed, each entry of one explicit kind
(`EntryKind`); every later build consumes it with its own cursor (`transform.builds`).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from psycopg import sql as pgsql
from sqlalchemy import Connection

from core.sql_files import column_list, sql

CHANGE_LOG_SQL = "queries/change_log.sql"
PENDING_RAW = "pending_raw"
PENDING_CHANGES = "pending_changes"


class Log(StrEnum):
    """A change log a build consumes; its pending entries are staged into temp table `pending_<log>`."""

    RAW = "raw"
    STAGING = "staging"


class EntryKind(StrEnum):
    """The kinds of `staging.change_log` entries: changed rows, remaps, rebuilds and recounts."""

    CASE = "case"  # changed rows: a staging.case version (old and new), with the keys the builds match on
    LINK = "link"  # changed rows: a staging.case_link row (old and new Egov case)
    FACT = "fact"  # changed rows: a mart.fact_case row image (old or new) and the months it counts in
    OFFICIAL = "official"  # changed rows: a landed official (record_key: the user name)
    QUARANTINE = "quarantine"  # changed rows: a landed key quarantined or released
    PETITION = "petition"  # changed rows: a landed petition key (record_key: MaPAKN)
    RATING = "rating"  # changed rows: a landed rating key (record_key: MaDanhGia)
    PETITION_FACT = "petition_fact"  # changed rows: a mart.fact_petition row image, the months it counts in
    RATING_FACT = "rating_fact"  # changed rows: a mart.fact_rating row image and its case
    PROCEDURE = "procedure"  # remap: a landed procedure changed, so its cases may count in another field
    UNIT = "unit"  # remap: the current units changed, so officials count under other units
    REBUILD = "rebuild"  # the build named in `build` was rebuilt in full: the builds after it rebuild too
    RECOUNT = "recount"  # months_from..month_to are to be counted again from their cases


# The columns of a fact_case row that an entry of kind `fact` carries (its image), and all that a count of
# cases may read of a case (the counting rules, queries/counting.sql).
FACT_IMAGE_COLUMNS = (
    "source_system", "case_key", "procedure_code", "unit_code", "status_code", "channel", "received_at",
    "due_at", "finished_at", "has_e_result", "is_digitized", "payment", "rating", "has_apology",
    "synced_national",
)  # fmt: skip


def image_columns(prefix: str | None = None) -> pgsql.Composed:
    """The fact image columns as a column list, optionally prefixed (`c.unit_code, ...`)."""
    return column_list(FACT_IMAGE_COLUMNS, prefix)


def lock(conn: Connection, log: Log) -> None:
    """Lock a log against writers until the transaction ends."""
    conn.execute(sql(CHANGE_LOG_SQL, f"lock_{log}_log"))


def horizon(conn: Connection, log: Log) -> int:
    """The last change id of a log (0 when empty)."""
    return int(conn.execute(sql(CHANGE_LOG_SQL, f"{log}_horizon")).scalar_one())


def stage_pending(
    conn: Connection, log: Log, last: int, until: int, after: tuple[str, ...]
) -> tuple[int, int]:
    """The entries `(last, until]` of a log into its pending temp table; returns how many, and how many are
    rebuilds of the builds in `after`."""
    table = PENDING_RAW if log is Log.RAW else PENDING_CHANGES
    conn.execute(sql(CHANGE_LOG_SQL, f"drop_{table}"))
    conn.execute(sql(CHANGE_LOG_SQL, f"create_{table}"), {"last_change_id": last, "horizon": until})
    conn.execute(sql(CHANGE_LOG_SQL, f"analyze_{table}"))
    params = {"after": list(after)} if log is Log.STAGING else {}
    counts = conn.execute(sql(CHANGE_LOG_SQL, f"{table}_count"), params).one()
    return int(counts.changes), int(counts.rebuilds)


def pending_of_kind(conn: Connection, kind: EntryKind) -> int:
    """How many pending staging entries are of one kind."""
    return int(conn.execute(sql(CHANGE_LOG_SQL, "pending_of_kind"), {"kind": kind.value}).scalar_one())


def log_rebuild(conn: Connection, build: str) -> None:
    """Tell the builds after `build` that it was rebuilt in full."""
    conn.execute(sql(CHANGE_LOG_SQL, "log_rebuild"), {"build": build})


def log_recount(conn: Connection, build: str, month_from: date, month_to: date) -> None:
    """Ask the counting builds to count the months `month_from..month_to` again from their cases."""
    params = {"build": build, "month_from": month_from, "month_to": month_to}
    conn.execute(sql(CHANGE_LOG_SQL, "log_recount"), params)


def prune(conn: Connection, raw_consumed: int, consumers: list[str]) -> None:
    """Delete the landing changes staging consumed, and the staging changes every one of `consumers`
    consumed (none while one of them has never run)."""
    conn.execute(sql(CHANGE_LOG_SQL, "prune_raw_log"), {"last_change_id": raw_consumed})
    consumed = conn.execute(sql(CHANGE_LOG_SQL, "consumed_by_all"), {"consumers": consumers}).scalar()
    if consumed is not None:
        conn.execute(sql(CHANGE_LOG_SQL, "prune_staging_log"), {"last_change_id": consumed})
