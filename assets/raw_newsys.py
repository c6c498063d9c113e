"""Raw landing of the new provincial system: cases (incremental feed), officials, procedures, units."""


from functools import partial

import dagster as dg

from assets.landing_run import land_entity
from ingest.entities import NEWSYS_CASE, NEWSYS_OFFICIAL, NEWSYS_PROCEDURE, NEWSYS_UNIT
from ingest.loader import WatermarkMode
from ingest.newsys_case import parse_newsys_case
from ingest.newsys_catalog import parse_official, parse_procedure, parse_unit
from resources.newsys_client import NewsysClient
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource

GROUP = "raw_newsys"


@dg.asset(
    key=["raw", "newsys_case"],
    group_name=GROUP,
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
    settings: PipelineSettings,
) -> dg.MaterializeResult:
    """Land the new system's case feed."""
    return land_entity(
        context,
        warehouse,
        NEWSYS_CASE,
        newsys.iter_case_pages,
        partial(parse_newsys_case, pii_key=settings.pii_hash_key),
        watermark_mode=WatermarkMode.PER_BATCH,
    )


@dg.asset(
    key=["raw", "newsys_official"],
    group_name=GROUP,
    kinds={"postgres", "python"},
    description="Officials' accounts (VNeID or local) from `/api/v2/officials`, read in full each time.",
)
def newsys_official(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, newsys: NewsysClient
) -> dg.MaterializeResult:
    """Land every official's account."""
    return land_entity(
        context,
        warehouse,
        NEWSYS_OFFICIAL,
        lambda _since, stats: newsys.iter_official_pages(stats),
        parse_official,
        watermark_mode=WatermarkMode.NONE,
    )


@dg.asset(
    key=["raw", "newsys_procedure"],
    group_name=GROUP,
    kinds={"postgres", "python"},
    description="The TTHC procedure catalogue from `/api/v2/procedures`.",
)
def newsys_procedure(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, newsys: NewsysClient
) -> dg.MaterializeResult:
    """Land the procedure catalogue."""
    return land_entity(
        context,
        warehouse,
        NEWSYS_PROCEDURE,
        lambda _since, stats: [newsys.procedures(stats)],
        parse_procedure,
        watermark_mode=WatermarkMode.NONE,
    )


@dg.asset(
    key=["raw", "newsys_unit"],
    group_name=GROUP,
    kinds={"postgres", "python"},
    description="Handling units and their successors after the 1/7/2025 reorganisation (`/api/v2/units`).",
)
def newsys_unit(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, newsys: NewsysClient
) -> dg.MaterializeResult:
    """Land the units."""
    return land_entity(
        context,
        warehouse,
        NEWSYS_UNIT,
        lambda _since, stats: [newsys.units(stats)],
        parse_unit,
        watermark_mode=WatermarkMode.NONE,
    )
