"""Shared steps of every raw landing asset: the load log, progress lines and the metadata shown in the UI."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from ingest.entities import EntitySpec
from ingest.loader import LANDING_SQL, LandingCounts, land_stream, read_watermark
from ingest.prefetch import prefetch
from ingest.reader import Parsed
from resources.http_retry import FetchStats, SourceError
from resources.sql_files import sql
from resources.warehouse import WarehouseResource


def land_entity(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    spec: EntitySpec,
    read_pages: Callable[[datetime | None, FetchStats], Iterable[list[Any]]],
    parse: Callable[[Any], Parsed],
    *,
    watermark_mode: str,
) -> dg.MaterializeResult:
    """Migrate, read the source from the stored watermark, land it, log the load; return UI metadata."""
    warehouse.migrate()
    engine = warehouse.engine()
    stats = FetchStats()
    with engine.begin() as conn:
        before = read_watermark(conn, spec)
        conn.execute(
            sql(LANDING_SQL, "start_load"), _log_key(context, spec) | {"now": _now(), "watermark": before}
        )
    context.log.info(f"{spec.source} {spec.entity}: reading from watermark {before or 'the beginning'}")
    counts = LandingCounts(watermark_before=before)
    try:
        land_stream(
            engine,
            spec,
            prefetch(read_pages(before, stats)),
            parse,
            run_id=context.run_id,
            watermark_mode=watermark_mode,
            on_batch=lambda c: context.log.info(_progress(spec, c, stats)),
            counts=counts,
        )
    except SourceError as error:
        _finish_log(warehouse, context, spec, counts, stats, "failed")
        error.with_committed(counts.committed)
        context.log.error(f"{_progress(spec, counts, stats)}; failed: {error}")
        raise
    except BaseException:
        _finish_log(warehouse, context, spec, counts, stats, "failed")
        raise
    _finish_log(warehouse, context, spec, counts, stats, "succeeded")
    context.log.info(_progress(spec, counts, stats))
    return dg.MaterializeResult(metadata=_metadata(warehouse, spec, counts, stats))


def _finish_log(
    warehouse: WarehouseResource,
    context: dg.AssetExecutionContext,
    spec: EntitySpec,
    counts: LandingCounts,
    stats: FetchStats,
    status: str,
) -> None:
    """Close the load-log row of this run and entity."""
    with warehouse.begin() as conn:
        conn.execute(
            sql(LANDING_SQL, "finish_load"),
            _log_key(context, spec)
            | {
                "now": _now(),
                "pages": stats.pages,
                "fetched": counts.fetched,
                "inserted": counts.inserted,
                "updated": counts.updated,
                "quarantined": counts.quarantined,
                "retries": stats.retries,
                "watermark": counts.watermark_after,
                "status": status,
            },
        )


def _metadata(
    warehouse: WarehouseResource, spec: EntitySpec, counts: LandingCounts, stats: FetchStats
) -> dict[str, Any]:
    """Row counts, paging, retries and watermarks, as the Dagster UI shows them."""
    with warehouse.begin() as conn:
        open_bad = conn.execute(
            sql(LANDING_SQL, "open_quarantine_count"), {"source": spec.source, "entity": spec.entity}
        ).scalar()
    reasons = "\n".join(f"| `{r}` | {n} |" for r, n in sorted(counts.reasons.items())) or "| none | 0 |"
    return {
        "rows_fetched": counts.fetched,
        "rows_inserted": counts.inserted,
        "rows_updated": counts.updated,
        "rows_quarantined": counts.quarantined,
        "quarantine_open": int(open_bad or 0),
        "pages": stats.pages,
        "requests": stats.requests,
        "retries": stats.retries,
        "retry_causes": dg.MetadataValue.json(stats.retry_causes),
        "token_refreshes": stats.token_refreshes,
        "watermark_before": str(counts.watermark_before) if counts.watermark_before else "none",
        "watermark_after": str(counts.watermark_after) if counts.watermark_after else "none",
        "bad_input_reasons": dg.MetadataValue.md("| reason | records |\n|---|---|\n" + reasons),
    }


def _progress(spec: EntitySpec, counts: LandingCounts, stats: FetchStats) -> str:
    """One human-readable progress line."""
    return (
        f"{spec.source} {spec.entity}: {counts.fetched} fetched in {stats.pages} pages, "
        f"{counts.inserted} inserted, {counts.updated} updated, {counts.bad} bad, {stats.retries} retries"
    )


def _log_key(context: dg.AssetExecutionContext, spec: EntitySpec) -> dict[str, str]:
    """The load-log key of this run and entity."""
    return {"run_id": context.run_id, "source": spec.source, "entity": spec.entity}


def _now() -> datetime:
    """The current instant."""
    return datetime.now(UTC)
