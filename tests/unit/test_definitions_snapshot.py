"""A snapshot of the code location (asset keys, groups and catalogue entries, checks, jobs, schedules and
sensors) catches drift.

When a change to the Definitions is intended, regenerate the snapshot with
`EGOV_SYNC_UPDATE_SNAPSHOTS=1 pytest tests/unit/test_definitions_snapshot.py` and review its diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import dagster as dg

from core.asset_keys import group_of
from pipelines.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def catalogue_entry(node: Any) -> dict[str, Any]:
    """What the catalogue shows of an asset: owners, tags (kinds aside), its table and its columns."""
    schema = node.metadata.get("dagster/column_schema")
    return {
        "owners": list(node.owners),
        "tags": {key: value for key, value in node.tags.items() if not key.startswith("dagster/kind/")},
        "table": node.metadata.get("dagster/table_name"),
        "columns": [column.name for column in schema.columns] if schema else [],
    }


def describe(definitions: dg.Definitions) -> dict[str, Any]:
    """What a reader of the UI sees of the code location, in a stable order."""
    graph = definitions.resolve_asset_graph()
    assets = {
        key.to_user_string(): {
            "group": graph.get(key).group_name,
            "deps": sorted(parent.to_user_string() for parent in graph.get(key).parent_keys),
            "partitioned": graph.get(key).partitions_def is not None,
            **catalogue_entry(graph.get(key)),
        }
        for key in graph.get_all_asset_keys()
    }
    checks = sorted(
        f"{check.asset_key.to_user_string()}:{check.name}"
        + (" (blocking)" if graph.get_check_spec(check).blocking else "")
        for check in graph.asset_check_keys
    )
    jobs = {
        job.name: sorted(
            key.to_user_string()
            for key in definitions.resolve_job_def(job.name).asset_layer.selected_asset_keys
        )
        for job in definitions.jobs or []
    }
    schedules = {
        schedule.name: {
            "job": schedule.job_name, "cron": schedule.cron_schedule, "tz": schedule.execution_timezone
        }
        for schedule in definitions.schedules or []
    }
    sensors = {
        sensor.name: sorted(job.name for job in sensor.jobs) if sensor.has_jobs else []
        for sensor in definitions.sensors or []
    }
    return {
        "assets": dict(sorted(assets.items())),
        "checks": checks,
        "jobs": dict(sorted(jobs.items())),
        "schedules": schedules,
        "sensors": dict(sorted(sensors.items())),
    }


def test_definitions_match_the_snapshot() -> None:
    current = describe(defs)
    if os.environ.get("EGOV_SYNC_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_every_asset_is_in_the_group_its_key_names() -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).group_name == group_of(key) == key.path[0]
