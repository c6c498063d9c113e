"""The Dagster code location of egov-sync: every asset and check of the `assets` package (grouped by the rule
of `core.asset_keys`, catalogued by `pipelines.catalogue`), jobs, schedule, sensors, one executor for every
run, and resources configured from the environment (validated when the code location loads: a bad variable
stops it with its name)."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

import assets as asset_package
from core.asset_keys import group_of
from core.environment import read_environment
from core.local_time import LOCAL_TZ_NAME
from pipelines.catalogue import with_catalogue
from pipelines.executors import egov_sync_executor
from pipelines.jobs import changed_months_job, newsys_changes_job, nightly_sync_job
from pipelines.resources_from_env import build_resources
from pipelines.schedules import nightly_sync_schedule
from pipelines.sensors import (
    changed_months_sensor,
    freshness_alert,
    newsys_change_feed_sensor,
    run_failure_alert,
)

ENVIRONMENT = read_environment()
PUBLISHED_PREFIXES = ("mart", "report")
MARTS_FRESH_BY_6 = dg.FreshnessPolicy.cron(
    deadline_cron="0 6 * * *", lower_bound_delta=timedelta(hours=24), timezone=LOCAL_TZ_NAME
)


def with_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Published marts and reports must have been materialised in the 24 hours before 06:00 local."""
    if group_of(spec.key) in PUBLISHED_PREFIXES:
        return spec.replace_attributes(freshness_policy=MARTS_FRESH_BY_6)
    return spec


def as_published(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Every asset in the group its key names, with its catalogue entry (table, columns, owners, personal-data
    tag); published marts and reports with their freshness policy."""
    return with_freshness(with_catalogue(spec.replace_attributes(group_name=group_of(spec.key))))


ALL_ASSETS = dg.map_asset_specs(as_published, dg.load_assets_from_package_module(asset_package))
ALL_CHECKS = dg.load_asset_checks_from_package_module(asset_package)

defs = dg.Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=[nightly_sync_job, newsys_changes_job, changed_months_job],
    schedules=[nightly_sync_schedule],
    sensors=[newsys_change_feed_sensor, changed_months_sensor, run_failure_alert, freshness_alert],
    resources=build_resources(),
    executor=egov_sync_executor,
)
