"""Landing streamed pages into PostgreSQL: COPY into temp tables, then upsert and quarantine per batch."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Engine, text

from core.sql_files import sql, sql_text
from ingest.entities import LANDING_SQL, EntitySpec, WatermarkMode
from ingest.reader import Parsed
from resources.warehouse import driver_connection

NUL_ESCAPE = "\\u0000"


@dataclass
class LandingCounts:
    """What one landing did."""

    fetched: int = 0
    valid: int = 0
    bad: int = 0
    inserted: int = 0
    updated: int = 0
    quarantined: int = 0
    batches: int = 0
    watermark_before: datetime | None = None
    watermark_after: datetime | None = None
    max_seen: datetime | None = None
    reasons: dict[str, int] = field(default_factory=dict)

    def see(self, parsed: Parsed) -> None:
        """Count one fetched record and its reasons."""
        self.fetched += 1
        if parsed.updated_at is not None and (self.max_seen is None or parsed.updated_at > self.max_seen):
            self.max_seen = parsed.updated_at
        if parsed.valid:
            self.valid += 1
        else:
            self.bad += 1
            for reason in parsed.reasons:
                self.reasons[reason] = self.reasons.get(reason, 0) + 1


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
    """The payload as JSON text; a NUL character (which PostgreSQL cannot store) makes the record bad."""
    payload = json.dumps(parsed.payload, ensure_ascii=False)
    if NUL_ESCAPE in payload:
        if "nul_character" not in parsed.reasons:
            parsed.reasons.append("nul_character")
        payload = payload.replace(NUL_ESCAPE, "\\ufffd")
    return payload


def read_watermark(conn: Connection, spec: EntitySpec) -> datetime | None:
    """The stored watermark of an entity, None before its first landing."""
    return conn.execute(sql(LANDING_SQL, "get_watermark"), spec.params()).scalar()


def land_batch(
    conn: Connection, spec: EntitySpec, batch: list[Parsed], run_id: str, counts: LandingCounts
) -> None:
    """Land one batch inside the caller's transaction."""
    now = datetime.now(UTC)
    versions = latest_versions(batch)
    rows = [(parsed, payload_text(parsed)) for parsed in versions]
    valid = [(p, payload) for p, payload in rows if p.valid]
    bad = [(p, payload) for p, payload in rows if not p.valid]
    _copy_valid(conn, spec, valid, now, run_id)
    _copy_bad(conn, bad, now, run_id)
    logged = spec.params() | {"now": now, "run_id": run_id}
    results = conn.execute(text(spec.statements["upsert_valid"]), logged).scalars().all()
    counts.inserted += sum(1 for inserted in results if inserted)
    counts.updated += sum(1 for inserted in results if not inserted)
    conn.execute(text(spec.statements["resolve_quarantine"]), logged)
    if spec.versioned:
        conn.execute(text(spec.statements["discard_stale_bad"]))
    counts.quarantined += len(conn.execute(sql(LANDING_SQL, "quarantine_bad"), logged).all())
    conn.execute(text(spec.statements["drop_superseded_valid"]), logged)
    counts.batches += 1


def _copy_valid(
    conn: Connection, spec: EntitySpec, valid: list[tuple[Parsed, str]], now: datetime, run_id: str
) -> None:
    """COPY valid records into the entity's temp table."""
    conn.execute(text(spec.statements["create_valid_temp"]))
    row_values = attrgetter(*spec.row_columns)
    with (
        driver_connection(conn).cursor() as cursor,
        cursor.copy(spec.statements["copy_valid"]) as copy,
    ):
        for parsed, payload in valid:
            copy.write_row((*row_values(parsed.row), payload, now, run_id))


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
) -> LandingCounts:
    """Parse and land every page, committing every `batch_size` records; returns the counts.

    A failure mid-stream keeps every committed batch; the watermark never passes uncommitted data.
    """
    counts = LandingCounts()
    with engine.begin() as conn:
        counts.watermark_before = read_watermark(conn, spec)
    per_batch = watermark_mode == WatermarkMode.PER_BATCH
    pending: list[Parsed] = []
    try:
        for page in pages:
            for record in page:
                parsed = parse(record)
                counts.see(parsed)
                pending.append(parsed)
            if len(pending) >= batch_size:
                _commit(engine, spec, pending, run_id, counts, advance=per_batch)
                pending = []
                if on_batch:
                    on_batch(counts)
    except BaseException:
        _commit(engine, spec, pending, run_id, counts, advance=per_batch)
        raise
    _commit(engine, spec, pending, run_id, counts, advance=watermark_mode != WatermarkMode.NONE)
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
    """Land a batch and, when asked, advance the watermark to the newest version seen, in one transaction."""
    with engine.begin() as conn:
        if batch:
            land_batch(conn, spec, batch, run_id, counts)
        if advance and counts.max_seen is not None:
            conn.execute(
                sql(LANDING_SQL, "advance_watermark"),
                spec.params()
                | {
                    "value": counts.max_seen,
                    "now": datetime.now(UTC),
                    "run_id": run_id,
                },
            )
            counts.watermark_after = read_watermark(conn, spec)
        elif counts.watermark_after is None:
            counts.watermark_after = counts.watermark_before
