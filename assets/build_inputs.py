"""What a run gives the builds of its assets (`transform.builds.BuildInputs`)."""

from __future__ import annotations

import dagster as dg

from core.build_mode import full_rebuild_requested
from core.run_clock import run_started_at
from resources.settings import PipelineSettings
from transform.builds import BuildInputs


def build_inputs(context: dg.AssetExecutionContext, settings: PipelineSettings | None = None) -> BuildInputs:
    """The run's as_of and whether it asks for a full rebuild; CUTOVER_AT and the applicant key when the
    asset has the settings."""
    if settings is None:
        return BuildInputs(as_of=run_started_at(context), full=full_rebuild_requested(context))
    return BuildInputs(
        as_of=run_started_at(context), cutover=settings.cutover(), full=full_rebuild_requested(context),
        pii_hash_key=settings.pii_hash_key,
    )  # fmt: skip
