"""The registry of builds, their code versions and the runner's decision to rebuild in full (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core import asset_keys as keys
from core import sql_files
from resources.publication import Publication
from transform.builds import Build, BuildInputs, Cursor, Param, Registry, full_reason
from transform.change_log import Log
from transform.registry import REGISTRY

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = datetime(2026, 7, 3, 9, 0, tzinfo=LOCAL)
CUTOVER = datetime(2024, 12, 24, tzinfo=LOCAL)
ASSET_OF_BUILD = {
    "staging_case": keys.STAGING_CASE, "case_link": keys.STAGING_CASE_LINK, "fact_case": keys.FACT_CASE,
    "backlog_reconciliation": keys.BACKLOG_RECONCILIATION, "residue_case": keys.RESIDUE_CASE,
    "indicator_monthly": keys.INDICATOR_MONTHLY, "tthc_period_report": keys.TTHC_PERIOD_REPORT,
    "score766_monthly": keys.SCORE766_MONTHLY,
}  # fmt: skip


def nothing(conn: object, run: object) -> Publication:
    """A build that publishes nothing."""
    return Publication()


def build_reading(path: Path, **fields: object) -> Build:
    """A build whose SQL is the file at `path`."""
    return Build("probe", publishes="mart.probe", sql=(str(path),), compute=nothing, **fields)  # type: ignore[arg-type]


def cursor_of(build: Build, **fields: object) -> Cursor:
    """The cursor a run of `build` at AS_OF would have left."""
    values = {"last_change_id": 5, "as_of": AS_OF, "cutover_at": CUTOVER, "first_month": None,
              "code_version": build.code_version()} | fields  # fmt: skip
    return Cursor(**values)  # type: ignore[arg-type]


def test_the_staging_log_is_kept_for_every_build_declared_to_consume_it() -> None:
    consumers = REGISTRY.consumers(Log.STAGING)
    assert consumers == [build.name for build in REGISTRY.builds if build.reads is Log.STAGING]
    added = replace(REGISTRY.builds[-1], name="a_build_added_later")
    assert "a_build_added_later" in REGISTRY.with_builds(added).consumers(Log.STAGING)
    assert REGISTRY.consumers(Log.RAW) == ["staging_case"]


def test_a_registry_refuses_two_builds_of_one_name_and_an_undeclared_predecessor() -> None:
    first = REGISTRY.builds[0]
    with pytest.raises(ValueError, match="share a name"):
        Registry(first, first)
    with pytest.raises(ValueError, match="not declared"):
        Registry(replace(first, name="lonely", after=("nowhere",)))


def test_a_build_followed_by_others_is_the_one_whose_rebuild_is_logged() -> None:
    followed = {build.name for build in REGISTRY.builds if REGISTRY.followed(build.name)}
    assert followed == {
        "staging_case", "case_link", "fact_case", "fact_petition", "fact_rating", "indicator_monthly",
    }  # fmt: skip


def test_every_build_is_the_code_version_of_its_asset() -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    builds = {build.name: build for build in REGISTRY.builds}
    for name, key in ASSET_OF_BUILD.items():
        assert graph.get(key).code_version == builds[name].code_version(), name


def test_a_code_version_changes_with_the_sql_but_not_with_its_comments_or_layout(tmp_path: Path) -> None:
    path = tmp_path / "probe.sql"
    path.write_text("-- name: compute\nSELECT 1 AS one\n", encoding="utf-8")
    build = build_reading(path)
    before = build.code_version()
    path.write_text("-- A comment.\n\n-- name: compute\n-- Why.\nSELECT 1\n    AS one\n", encoding="utf-8")
    sql_files.named_statements.cache_clear()
    assert build.code_version() == before
    path.write_text("-- name: compute\nSELECT 2 AS one\n", encoding="utf-8")
    sql_files.named_statements.cache_clear()
    assert build.code_version() != before
    assert replace(build, shape=("a fragment",)).code_version() != build.code_version()


def test_a_build_runs_on_its_changes_only_when_nothing_asks_for_a_full_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "probe.sql"
    path.write_text("-- name: compute\nSELECT 1\n", encoding="utf-8")
    build = build_reading(path, params=(Param.CUTOVER, Param.AS_OF_DATE))
    inputs = BuildInputs(as_of=AS_OF + timedelta(hours=1), cutover=CUTOVER)
    kept = cursor_of(build)
    assert full_reason(build, inputs, kept, False, None) is None
    reasons = {
        "requested": full_reason(build, replace(inputs, full=True), kept, False, None),
        "found": full_reason(build, inputs, kept, False, "PII_HASH_KEY changed since the last build"),
        "first": full_reason(build, inputs, None, False, None),
        "code": full_reason(build, inputs, cursor_of(build, code_version="0" * 16), False, None),
        "unrecorded": full_reason(build, inputs, cursor_of(build, code_version=None), False, None),
        "upstream": full_reason(build, inputs, kept, True, None),
        "cutover": full_reason(build, replace(inputs, cutover=AS_OF), kept, False, None),
        "day": full_reason(build, replace(inputs, as_of=AS_OF + timedelta(days=1)), kept, False, None),
    }
    changed = f"its code changed since the last build (code version {build.code_version()}, was"
    assert reasons == {
        "requested": "full rebuild requested (run tag egov_sync/full_rebuild)",
        "found": "PII_HASH_KEY changed since the last build",
        "first": "first build",
        "code": f"{changed} {'0' * 16})",
        "unrecorded": f"{changed} not recorded)",
        "upstream": "an upstream build was rebuilt in full",
        "cutover": "CUTOVER_AT changed since the last build",
        "day": "the local date of as_of changed since the last build",
    }
