"""Raw landing assets, one per source entity: read from the stored watermark, land, log the load.

Every raw asset runs the same steps (`land_entity`); what differs per entity is its spec (`ingest.entities`),
how its pages are read and how its records are parsed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import dagster as dg

from assets.data_versions import table_data_version
from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
from core.sql_files import sql
from ingest.egov_case import parse_egov_case
from ingest.entities import (
    EGOV_CASE,
    LANDING_SQL,
    NEWSYS_CASE,
    NEWSYS_OFFICIAL,
    NEWSYS_PETITION,
    NEWSYS_PROCEDURE,
    NEWSYS_RATING,
    NEWSYS_UNIT,
    EntitySpec,
    WatermarkMode,
)
from ingest.loader import LandingCounts, land_stream, read_watermark, safe_watermark
from ingest.newsys_case import parse_newsys_case
from ingest.newsys_catalog import parse_official, parse_procedure, parse_unit
from ingest.newsys_petition import parse_petition
from ingest.newsys_rating import parse_rating
from ingest.prefetch import prefetch
from ingest.reader import Parsed
from resources.http_retry import FetchStats, SourceError
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
        stored = read_watermark(conn, spec)
        before = safe_watermark(conn, spec, _now())
        conn.execute(
            sql(LANDING_SQL, "start_load"), _log_key(context, spec) | {"now": _now(), "watermark": before}
        )
    if stored != before:
        context.log.warning(
            f"{spec.source} {spec.entity}: the stored watermark {stored} is ahead of the pipeline's clock; "
            f"set back to {before or 'the beginning'}, the newest version landed before its landing time"
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
    if counts.ahead_of_clock:
        context.log.warning(
            f"{spec.source} {spec.entity}: {counts.ahead_of_clock} records stamped ahead of the pipeline's "
            f"clock (newest {counts.newest_ahead}); landed, but the watermark does not follow them"
        )
    metadata = _metadata(warehouse, spec, counts, stats)
    if stored != before:
        metadata["watermark_set_back_from"] = str(stored)
    return dg.MaterializeResult(
        metadata=metadata, data_version=table_data_version(warehouse, context.asset_key)
    )


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
        "rows_restamped": counts.restamped,
        "rows_quarantined": counts.quarantined,
        "quarantine_open": int(open_bad or 0),
        "write_seconds": round(counts.write_seconds, 3),
        "pages": stats.pages,
        "requests": stats.requests,
        "retries": stats.retries,
        "retry_causes": dg.MetadataValue.json(stats.retry_causes),
        "token_refreshes": stats.token_refreshes,
        "watermark_before": str(counts.watermark_before) if counts.watermark_before else "none",
        "watermark_after": str(counts.watermark_after) if counts.watermark_after else "none",
        "rows_ahead_of_clock": counts.ahead_of_clock,
        "newest_ahead_of_clock": str(counts.newest_ahead) if counts.newest_ahead else "none",
        "bad_input_reasons": dg.MetadataValue.md("| reason | records |\n|---|---|\n" + reasons),
    }


def _progress(spec: EntitySpec, counts: LandingCounts, stats: FetchStats) -> str:
    """One human-readable progress line."""
    return (
        f"{spec.source} {spec.entity}: {counts.fetched} fetched in {stats.pages} pages, "
        f"{counts.inserted} inserted, {counts.updated} updated, {counts.restamped} re-stamped, "
        f"{counts.bad} bad, {stats.retries} retries"
    )


def _log_key(context: dg.AssetExecutionContext, spec: EntitySpec) -> dict[str, str]:
    """The load-log key of this run and entity."""
    return {"run_id": context.run_id, "source": spec.source, "entity": spec.entity}


def _now() -> datetime:
    """The current instant."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class RawEntity:
    """How one raw asset reads its source and parses its records."""

    key: dg.AssetKey
    spec: EntitySpec
    client: str
    read: Callable[[Any, datetime | None, FetchStats], Iterable[list[Any]]]
    parse: Callable[..., Parsed]
    watermark_mode: WatermarkMode
    description: str


def raw_asset(entity: RawEntity) -> dg.AssetsDefinition:
    """The landing asset of one source entity."""
    @dg.asset(
        pool=WAREHOUSE_POOL,
        key=entity.key, kinds={"postgres", "python"}, description=entity.description,
        required_resource_keys={"warehouse", entity.client},
    )
    def _land(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        client = getattr(context.resources, entity.client)
        return land_entity(
            context,
            context.resources.warehouse,
            entity.spec,
            partial(entity.read, client),
            entity.parse,
            watermark_mode=entity.watermark_mode,
        )

    return _land


def _one_page(method: str) -> Callable[..., list[list[Any]]]:
    """A one-page resource of the new system (read in full every time) as a stream of one page."""
    return lambda newsys, _since, stats: [getattr(newsys, method)(stats)]


RAW_ENTITIES = (
    RawEntity(
        keys.RAW_EGOV_CASE, EGOV_CASE, "egov", lambda egov, since, stats: egov.iter_case_pages(since, stats),
        parse_egov_case,
        WatermarkMode.AT_END,
        "Egov case records from `/api/v1/hoso` (offset paging by id, `capNhatTu` inclusive). The watermark "
        "advances only after a complete pass, because offset pages are not a snapshot.",
    ),
    RawEntity(
        keys.RAW_NEWSYS_CASE, NEWSYS_CASE, "newsys",
        lambda newsys, since, stats: newsys.iter_case_pages(since, stats), parse_newsys_case,
        WatermarkMode.PER_BATCH,
        "Case records (HoSo) of the new system, read incrementally from `/api/v2/cases` from the stored "
        "watermark (inclusive), latest version per MaHoSo, tombstones kept; bad records quarantined.",
    ),
    RawEntity(
        keys.RAW_NEWSYS_OFFICIAL, NEWSYS_OFFICIAL, "newsys",
        lambda newsys, _since, stats: newsys.iter_official_pages(stats), parse_official, WatermarkMode.NONE,
        "Officials' accounts (VNeID or local) from `/api/v2/officials`, read in full each time.",
    ),
    RawEntity(
        keys.RAW_NEWSYS_PROCEDURE, NEWSYS_PROCEDURE, "newsys", _one_page("procedures"),
        parse_procedure, WatermarkMode.NONE, "The TTHC procedure catalogue from `/api/v2/procedures`.",
    ),
    RawEntity(
        keys.RAW_NEWSYS_UNIT, NEWSYS_UNIT, "newsys", _one_page("units"), parse_unit,
        WatermarkMode.NONE,
        "Handling units and their successors after the 1/7/2025 reorganisation (`/api/v2/units`).",
    ),
    RawEntity(
        keys.RAW_NEWSYS_PETITION, NEWSYS_PETITION, "newsys",
        lambda newsys, since, stats: newsys.iter_petition_pages(since, stats), parse_petition,
        WatermarkMode.PER_BATCH,
        "Petitions (phản ánh, kiến nghị) of the new system, read incrementally from `/api/v2/petitions` from "
        "the stored watermark (inclusive), latest version per MaPAKN, tombstones kept; bad records "
        "quarantined. Sender and free texts stay in `raw`.",
    ),
    RawEntity(
        keys.RAW_NEWSYS_RATING, NEWSYS_RATING, "newsys",
        lambda newsys, since, stats: newsys.iter_rating_pages(since, stats), parse_rating,
        WatermarkMode.PER_BATCH,
        "Applicants' ratings of their cases, read incrementally from `/api/v2/ratings` from the stored "
        "watermark (inclusive), latest version per MaDanhGia (replaced ratings with HieuLuc 0 and tombstones "
        "kept); bad records quarantined. The comment stays in `raw`.",
    ),
)  # fmt: skip
(
    egov_case, newsys_case, newsys_official, newsys_procedure, newsys_unit, newsys_petition, newsys_rating
) = (raw_asset(entity) for entity in RAW_ENTITIES)  # fmt: skip
