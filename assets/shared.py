"""What the assets share: the decorators of the assets of builds and of the checks, what a run gives a build,
and reading a check's rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import dagster as dg

from core.asset_keys import WAREHOUSE_POOL
from core.build_mode import full_rebuild_requested
from core.run_clock import run_started_at
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from transform.builds import Build, BuildInputs
from transform.statements import rows


def build_asset(
    build: Build, key: dg.AssetKey, deps: Sequence[dg.AssetKey], **more: Any
) -> Callable[[Callable[..., dg.MaterializeResult]], dg.AssetsDefinition]:
    """The asset of a build: in the warehouse pool, SQL in PostgreSQL, versioned by the build's code."""
    return dg.asset(
        pool=WAREHOUSE_POOL, key=key, deps=deps, kinds={"postgres", "sql"}, code_version=build.code_version(),
        **more,
    )  # fmt: skip


CheckFunction = Callable[..., dg.AssetCheckResult]


def warehouse_check(asset: dg.AssetKey) -> Callable[[CheckFunction], dg.AssetChecksDefinition]:
    """A check of an asset in the warehouse pool, described by its function's docstring."""
    return dg.asset_check(asset=asset, pool=WAREHOUSE_POOL)


def read_rows(warehouse: WarehouseResource, path: str, name: str, **params: Any) -> list[dict[str, Any]]:
    """The rows of one named query, read in a transaction of their own."""
    with warehouse.begin() as conn:
        return rows(conn, path, name, **params)


def build_inputs(context: dg.AssetExecutionContext, settings: PipelineSettings | None = None) -> BuildInputs:
    """The run's as_of and whether it asks for a full rebuild; CUTOVER_AT and the applicant key when the
    asset has the settings."""
    if settings is None:
        return BuildInputs(as_of=run_started_at(context), full=full_rebuild_requested(context))
    return BuildInputs(
        as_of=run_started_at(context), cutover=settings.cutover(), full=full_rebuild_requested(context),
        pii_hash_key=settings.pii_hash_key,
    )  # fmt: skip
