"""Landing streamed pages into PostgreSQL: COPY into temp tables, then upsert and quarantine per batch."""

from __future__ import annotations

import copy
import gc
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from psycopg.types.json import set_json_dumps
from sqlalchemy import Connection, Engine, text

from core.sql_files import sql, sql_text
from ingest.entities import LANDING_SQL, EntitySpec, WatermarkMode
from ingest.integers import COLUMN_RANGES, IntRange
from ingest.reader import Parsed, screened
from resources.table_versions import raise_version
from resources.warehouse import driver_connection
from resources.warehouse_retry import in_transaction


@dataclass
class LandingCounts:
    """What one landing did: what was seen (counted as records are parsed) and what was written (counted by
    the commits, WRITE_COUNTS)."""

    fetched: int = 0
    valid: int = 0
    bad: int = 0
    inserted: int = 0
    updated: int = 0
    restamped: int = 0
    quarantined: int = 0
    batches: int = 0
    committed: int = 0
    watermark_before: datetime | None = None
    watermark_after: datetime | None = None
    committed_max: datetime | None = None
    ahead_of_clock: int = 0
    newest_ahead: datetime | None = None
    write_seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)

    def see(self, parsed: Parsed) -> None:
        """Count one fetched record and its reasons."""
        self.fetched += 1
        if parsed.valid:
            self.valid += 1
        else:
            self.bad += 1
            for reason in parsed.reasons:
                self.reasons[reason] = self.reasons.get(reason, 0) + 1


YOUNG_OBJECTS_PER_COLLECTION = 100_000
STREAMING_SWITCH_SECONDS = 0.0005


@contextmanager
def streaming_runtime() -> Iterator[None]:
    """The interpreter tuned while records stream through, restored after.

    Cyclic garbage is collected rarely: what existed before is frozen (never scanned) and the youngest
    generation is collected every YOUNG_OBJECTS_PER_COLLECTION allocations, not 700 (parsed records hold no
    cycles). Threads switch every STREAMING_SWITCH_SECONDS, not 5 ms: the writer thread, woken each time the
    server drains a COPY buffer, would otherwise wait that long for the parsing thread to let it run.
    """
    saved_threshold, saved_switch = gc.get_threshold(), sys.getswitchinterval()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION, *saved_threshold[1:])
    sys.setswitchinterval(STREAMING_SWITCH_SECONDS)
    try:
        yield
    finally:
        sys.setswitchinterval(saved_switch)
        gc.set_threshold(*saved_threshold)
        gc.unfreeze()


WRITE_COUNTS = (
    "inserted", "updated", "restamped", "quarantined", "batches", "committed", "watermark_after",
    "ahead_of_clock", "newest_ahead",
)


def latest_versions(records: Iterable[Parsed]) -> list[Parsed]:
    """One version per key: the last delivered, unless an earlier one is strictly newer."""
    chosen: dict[str, Parsed] = {}
    for parsed in records:
        current = chosen.get(parsed.key)
        if (
            current is not None
            and current.updated_at is not None
            and parsed.updated_at is not None
            and current.updated_at > parsed.updated_at
        ):
            continue
        chosen[parsed.key] = parsed
    return list(chosen.values())


def payload_text(parsed: Parsed) -> str:
    """The payload as JSON text PostgreSQL can store (screened by the parser, or here when it was not)."""
    if parsed.text is None:
        screened(parsed)
    assert parsed.text is not None
    return parsed.text


def read_watermark(conn: Connection, spec: EntitySpec) -> datetime | None:
    """The stored watermark of an entity, None before its first landing."""
    return conn.execute(sql(LANDING_SQL, "get_watermark"), spec.params()).scalar()


def land_batch(
    conn: Connection,
    spec: EntitySpec,
    batch: list[Parsed],
    run_id: str,
    counts: LandingCounts,
    now: datetime | None = None,
) -> None:
    """Land one batch inside the caller's transaction; `now` is its landing time (`fetched_at`)."""
    now = now or datetime.now(UTC)
    versions = latest_versions(batch)
    rows = [(parsed, payload_text(parsed)) for parsed in versions]
    valid = [(p, payload) for p, payload in rows if p.valid]
    bad = [(p, payload) for p, payload in rows if not p.valid]
    _copy_valid(conn, spec, valid, now, run_id)
    _copy_bad(conn, bad, now, run_id)
    logged = spec.params() | {"now": now, "run_id": run_id}
    inserted, updated = conn.execute(text(spec.statements["upsert_valid"]), logged).one()
    counts.inserted += inserted
    counts.updated += updated
    if spec.versioned and inserted < len(valid):
        counts.restamped += conn.execute(text(spec.statements["restamp_valid"]), logged).rowcount
    conn.execute(text(spec.statements["resolve_quarantine"]), logged)
    if spec.versioned:
        conn.execute(text(spec.statements["discard_stale_bad"]))
    counts.quarantined += conn.execute(sql(LANDING_SQL, "quarantine_bad"), logged).scalar_one()
    dropped = conn.execute(text(spec.statements["drop_superseded_valid"]), logged).rowcount
    if inserted or updated or dropped:
        raise_version(conn, spec.table)
    counts.batches += 1
    counts.committed += len(batch)


def column_types(conn: Connection, table: str, columns: tuple[str, ...]) -> list[int]:
    """The type OIDs of a table's columns, in the order given (what a binary COPY must be told)."""
    found = dict(conn.execute(sql(LANDING_SQL, "column_types"), {"table": table}).tuples().all())
    return [found[name] for name in columns]


def landing_types(conn: Connection, spec: EntitySpec) -> list[int]:
    """The COPY column types of an entity's temp table, read once per session (the temp table is made
    `LIKE` the raw table each batch, with the same types)."""
    cached = conn.connection.info.get(("landing_types", spec.table))
    if cached is None:
        cached = conn.connection.info[("landing_types", spec.table)] = column_types(
            conn, "pg_temp.land_valid", spec.columns
        )
    return cached


class ColumnOverflow(ValueError):
    """A value its integer column cannot hold (a binary COPY would store it wrapped): never written."""

    def __init__(self, table: str, column: str, value: int, allowed: IntRange) -> None:
        self.table, self.column, self.value = table, column, value
        super().__init__(
            f"{table}.{column}: {value} is outside the column's range {allowed.low}..{allowed.high}; "
            "the batch is not written (the parser should have quarantined the record)"
        )


def integer_columns(columns: tuple[str, ...], types: list[int]) -> list[tuple[int, str, IntRange]]:
    """(position, name, range) of each integer column among `columns`, whose type OIDs are `types`."""
    return [
        (position, name, COLUMN_RANGES[oid])
        for position, (name, oid) in enumerate(zip(columns, types, strict=True))
        if oid in COLUMN_RANGES
    ]


def check_integers(table: str, values: tuple, checks: list[tuple[int, str, IntRange]]) -> None:
    """ColumnOverflow when an integer column's value is outside its type's range."""
    for position, name, (low, high) in checks:
        value = values[position]
        if value is not None and not low <= value <= high:
            raise ColumnOverflow(table, name, value, IntRange(low, high))


def _copy_valid(
    conn: Connection, spec: EntitySpec, valid: list[tuple[Parsed, str]], now: datetime, run_id: str
) -> None:
    """COPY valid records into the entity's temp table, in binary (the payload is already JSON text); a value
    an integer column cannot hold stops the batch (ColumnOverflow) instead of being written wrapped."""
    conn.execute(text(spec.statements["create_valid_temp"]))
    types = landing_types(conn, spec)
    checks = integer_columns(spec.row_columns, types[: len(spec.row_columns)])
    row_values = attrgetter(*spec.row_columns)
    with driver_connection(conn).cursor() as cursor:
        set_json_dumps(str, context=cursor)
        with cursor.copy(spec.statements["copy_valid"]) as copy:
            copy.set_types(types)
            for parsed, payload in valid:
                values = row_values(parsed.row)
                check_integers(spec.table, values, checks)
                copy.write_row((*values, payload, now, run_id))


def _copy_bad(conn: Connection, bad: list[tuple[Parsed, str]], now: datetime, run_id: str) -> None:
    """COPY bad records into the quarantine temp table."""
    conn.execute(sql(LANDING_SQL, "create_bad_temp"))
    with driver_connection(conn).cursor() as cursor, cursor.copy(sql_text(LANDING_SQL, "copy_bad")) as copy:
        for parsed, payload in bad:
            copy.write_row(
                [
                    parsed.source,
                    parsed.entity,
                    parsed.key,
                    sorted(parsed.reasons),
                    payload,
                    parsed.updated_at,
                    now,
                    now,
                    run_id,
                ]
            )


class BatchWriter:
    """Commits batches in one background thread, in order, while the next batch is parsed.

    At most one batch is in flight; a failed commit re-raises in the caller at its next call.
    """

    def __init__(self, commit: Callable[[list[Parsed], bool], None]) -> None:
        self._commit = commit
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="egov-sync-landing")
        self._in_flight: Future[None] | None = None

    def submit(self, batch: list[Parsed], *, advance: bool) -> None:
        """Wait for the batch in flight, then start committing this one."""
        self.wait()
        self._in_flight = self._pool.submit(self._commit, batch, advance)

    def wait(self) -> None:
        """Wait for the batch in flight to commit (re-raising its failure)."""
        future, self._in_flight = self._in_flight, None
        if future is not None:
            future.result()

    def finish(self, batch: list[Parsed], *, advance: bool) -> None:
        """Wait for the batch in flight, then commit the last one here."""
        self.wait()
        self._commit(batch, advance)

    def close(self) -> None:
        """Stop the thread once the batch in flight is done."""
        self._pool.shutdown(wait=True)


def land_stream(
    engine: Engine,
    spec: EntitySpec,
    pages: Iterable[list[Any]],
    parse: Callable[[Any], Parsed],
    *,
    run_id: str,
    watermark_mode: WatermarkMode = WatermarkMode.NONE,
    batch_size: int = 5000,
    on_batch: Callable[[LandingCounts], None] | None = None,
    counts: LandingCounts | None = None,
) -> LandingCounts:
    """Parse and land every page, committing every `batch_size` records; returns the counts.

    Each batch commits in the background while the next one is parsed. A failure mid-stream keeps every
    committed batch; the watermark never passes uncommitted data. Pass `counts` to see how far a failed
    landing got.
    """
    counts = counts if counts is not None else LandingCounts()
    with engine.begin() as conn:
        counts.watermark_before = read_watermark(conn, spec)
    per_batch = watermark_mode == WatermarkMode.PER_BATCH
    writer = BatchWriter(lambda batch, advance: _commit(engine, spec, batch, run_id, counts, advance=advance))
    pending: list[Parsed] = []
    with streaming_runtime():
        try:
            for page in pages:
                for record in page:
                    parsed = parse(record)
                    counts.see(parsed)
                    pending.append(parsed)
                if len(pending) >= batch_size:
                    committed_before = counts.batches
                    writer.submit(pending, advance=per_batch)
                    pending = []
                    if on_batch and counts.batches > committed_before:
                        on_batch(counts)
        except BaseException:
            writer.finish(pending, advance=per_batch)
            raise
        else:
            writer.finish(pending, advance=watermark_mode != WatermarkMode.NONE)
        finally:
            writer.close()
    return counts


def _commit(
    engine: Engine,
    spec: EntitySpec,
    batch: list[Parsed],
    run_id: str,
    counts: LandingCounts,
    *,
    advance: bool,
) -> None:
    """Land a batch and, when asked, advance the watermark to the newest version committed, in one
    transaction.

    The batch's landing time is the pipeline's clock: a record stamped after it lands like any other but
    never moves the watermark (`within_clock`), so a source clock that runs ahead cannot carry the watermark
    past changes not yet read. A lost connection rolls the whole batch back; it is landed again on a fresh
    connection (bounded), so the write counts are only taken from the attempt that committed. The time it
    takes, commit and retries included, adds to `counts.write_seconds`.
    """
    started = time.perf_counter()
    clock = datetime.now(UTC)
    sane, ahead = within_clock(batch, clock)
    newest = max_version(counts.committed_max, sane)

    def land(conn: Connection) -> LandingCounts:
        attempt = copy.copy(counts)
        if batch:
            land_batch(conn, spec, batch, run_id, attempt, now=clock)
        if advance and newest is not None:
            conn.execute(
                sql(LANDING_SQL, "advance_watermark"),
                spec.params() | {"value": newest, "now": clock, "run_id": run_id},
            )
            attempt.watermark_after = read_watermark(conn, spec)
        elif attempt.watermark_after is None:
            attempt.watermark_after = attempt.watermark_before
        attempt.ahead_of_clock += len(ahead)
        attempt.newest_ahead = max_version(attempt.newest_ahead, ahead)
        return attempt

    committed = in_transaction(engine, land)
    for name in WRITE_COUNTS:
        setattr(counts, name, getattr(committed, name))
    counts.committed_max = newest
    counts.write_seconds += time.perf_counter() - started


def within_clock(batch: list[Parsed], clock: datetime) -> tuple[list[Parsed], list[Parsed]]:
    """The batch's records stamped at or before `clock`, and those stamped after it (ahead of the clock)."""
    sane: list[Parsed] = []
    ahead: list[Parsed] = []
    for parsed in batch:
        (ahead if parsed.updated_at is not None and parsed.updated_at > clock else sane).append(parsed)
    return sane, ahead


def max_version(current: datetime | None, batch: list[Parsed]) -> datetime | None:
    """The newest version among `current` and a batch's records."""
    versions = [parsed.updated_at for parsed in batch if parsed.updated_at is not None]
    if current is not None:
        versions.append(current)
    return max(versions, default=None)


def safe_watermark(conn: Connection, spec: EntitySpec, clock: datetime) -> datetime | None:
    """The stored watermark, lowered first when it is ahead of `clock`.

    A watermark ahead of the pipeline's clock was carried there by a record stamped in the future (before
    such records were kept from moving it); it is set back to the newest version landed at or before its own
    landing time, so that the changes it skipped are read again.
    """
    stored = read_watermark(conn, spec)
    if stored is None or stored <= clock:
        return stored
    repaired = conn.execute(text(spec.statements["newest_sane_version"]), spec.params()).scalar()
    if repaired is None:
        conn.execute(sql(LANDING_SQL, "forget_watermark"), spec.params())
    else:
        values = spec.params() | {"value": repaired, "now": clock}
        conn.execute(sql(LANDING_SQL, "set_back_watermark"), values)
    return repaired
