"""Raw landing assets, one per source entity: read from the stored watermark, land, log the load.

Every raw asset runs the same steps (`land_entity`); what differs per entity is its spec (`ingest.entities`),
how its pages are read and how its records are parsed.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from core import asset_keys as keys
from core.sql_files import sql
from ingest.egov_case import parse_egov_case
from ingest.entities import (
    EGOV_CASE,
    LANDING_SQL,
    NEWSYS_CASE,
    NEWSYS_OFFICIAL,
    NEWSYS_PROCEDURE,
    NEWSYS_UNIT,
    EntitySpec,
    WatermarkMode,
)
from ingest.loader import LandingCounts, land_stream, read_watermark
from ingest.newsys_case import parse_newsys_case
from ingest.newsys_catalog import parse_official, parse_procedure, parse_unit
from ingest.prefetch import prefetch
from ingest.reader import Parsed
from resources.egov_client import EgovClient
from resources.http_retry import FetchStats
from resources.newsys_client import NewsysClient
from resources.warehouse import WarehouseResource

PageReader = Callable[[datetime | None, FetchStats], Iterable[list[Any]]]


def land_entity(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    spec: EntitySpec,
    read_pages: PageReader,
    parse: Callable[[Any], Parsed],
    *,
    watermark_mode: WatermarkMode,
) -> dg.MaterializeResult:
    """Read the source from the stored watermark, land it, log the load; return UI metadata."""
    engine = warehouse.engine()
    stats = FetchStats()
    with engine.begin() as conn:
        before = read_watermark(conn, spec)
        conn.execute(
            sql(LANDING_SQL, "start_load"), _log_key(context, spec) | {"now": _now(), "watermark": before}
        )
    context.log.info(f"{spec.source} {spec.entity}: reading from watermark {before or 'the beginning'}")
    try:
        counts = land_stream(
            engine,
            spec,
            prefetch(read_pages(before, stats)),
            parse,
            run_id=context.run_id,
            watermark_mode=watermark_mode,
            on_batch=lambda c: context.log.info(_progress(spec, c, stats)),
        )
    except BaseException:
        _finish_log(warehouse, context, spec, LandingCounts(watermark_before=before), stats, "failed")
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
        open_bad = conn.execute(sql(LANDING_SQL, "open_quarantine_count"), spec.params()).scalar()
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


@dg.asset(
    key=keys.RAW_EGOV_CASE,
    kinds={"postgres", "python"},
    description=(
        "Egov case records from `/api/v1/hoso` (offset paging by id, `capNhatTu` inclusive). The watermark "
        "advances only after a complete pass, because offset pages are not a snapshot."
    ),
)
def egov_case(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    egov: EgovClient,
) -> dg.MaterializeResult:
    """Land Egov's cases."""
    return land_entity(
        context, warehouse, EGOV_CASE, egov.iter_case_pages, parse_egov_case,
        watermark_mode=WatermarkMode.AT_END,
    )


@dg.asset(
    key=keys.RAW_NEWSYS_CASE,
    kinds={"postgres", "python"},
    description=(
        "Case records (HoSo) of the new system, read incrementally from `/api/v2/cases` from the stored "
        "watermark (inclusive), latest version per MaHoSo, tombstones kept; bad records quarantined."
    ),
)
def newsys_case(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    newsys: NewsysClient,
) -> dg.MaterializeResult:
    """Land the new system's case feed."""
    return land_entity(
        context, warehouse, NEWSYS_CASE, newsys.iter_case_pages, parse_newsys_case,
        watermark_mode=WatermarkMode.PER_BATCH,
    )


def _newsys_reference_asset(
    key: dg.AssetKey,
    spec: EntitySpec,
    read_all: Callable[[NewsysClient, FetchStats], Iterable[list[Any]]],
    parse: Callable[[Any], Parsed],
    description: str,
) -> dg.AssetsDefinition:
    """A reference entity of the new system, read in full on every run (no watermark)."""

    @dg.asset(key=key, kinds={"postgres", "python"}, description=description)
    def _land(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, newsys: NewsysClient
    ) -> dg.MaterializeResult:
        return land_entity(
            context,
            warehouse,
            spec,
            lambda _since, stats: read_all(newsys, stats),
            parse,
            watermark_mode=WatermarkMode.NONE,
        )

    return _land


newsys_official = _newsys_reference_asset(
    keys.RAW_NEWSYS_OFFICIAL,
    NEWSYS_OFFICIAL,
    lambda newsys, stats: newsys.iter_official_pages(stats),
    parse_official,
    "Officials' accounts (VNeID or local) from `/api/v2/officials`, read in full each time.",
)
newsys_procedure = _newsys_reference_asset(
    keys.RAW_NEWSYS_PROCEDURE,
    NEWSYS_PROCEDURE,
    lambda newsys, stats: [newsys.procedures(stats)],
    parse_procedure,
    "The TTHC procedure catalogue from `/api/v2/procedures`.",
)
newsys_unit = _newsys_reference_asset(
    keys.RAW_NEWSYS_UNIT,
    NEWSYS_UNIT,
    lambda newsys, stats: [newsys.units(stats)],
    parse_unit,
    "Handling units and their successors after the 1/7/2025 reorganisation (`/api/v2/units`).",
)
