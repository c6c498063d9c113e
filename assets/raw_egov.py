"""Raw landing of the legacy Egov one-stop system's cases."""


from functools import partial

import dagster as dg

from assets.landing_run import land_entity
from ingest.egov_case import parse_egov_case
from ingest.entities import EGOV_CASE
from ingest.loader import WatermarkMode
from resources.egov_client import EgovClient
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource


@dg.asset(
    key=["raw", "egov_case"],
    group_name="raw_egov",
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
    settings: PipelineSettings,
) -> dg.MaterializeResult:
    """Land Egov's cases."""
    return land_entity(
        context,
        warehouse,
        EGOV_CASE,
        egov.iter_case_pages,
        partial(parse_egov_case, pii_key=settings.pii_hash_key),
        watermark_mode=WatermarkMode.AT_END,
    )
