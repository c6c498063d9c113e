"""The Dagster code location of egov-sync: every asset and check of the `assets` package (grouped by the rule
of `core.asset_keys`), jobs, schedule, sensors and resources configured from the environment."""

from __future__ import annotations

import dagster as dg

import assets as asset_package
from core.asset_keys import group_of
from pipelines.jobs import newsys_changes_job, nightly_sync_job
from pipelines.resources_from_env import build_resources
from pipelines.schedules import nightly_sync_schedule
from pipelines.sensors import newsys_change_feed_sensor, run_failure_alert

ALL_ASSETS = dg.map_asset_specs(
    lambda spec: spec.replace_attributes(group_name=group_of(spec.key)),
    dg.load_assets_from_package_module(asset_package),
)
ALL_CHECKS = dg.load_asset_checks_from_package_module(asset_package)

defs = dg.Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=[nightly_sync_job, newsys_changes_job],
    schedules=[nightly_sync_schedule],
    sensors=[newsys_change_feed_sensor, run_failure_alert],
    resources=build_resources(),
)
