"""Incremental builds: after random change batches (or none: then both validations carry over the last one's
results and the counted marts keep their counts) they publish what a full rebuild publishes, a re-run with
nothing changed reads no case rows downstream of landing, and a changed template rebuilds what it computes."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from psycopg import sql as pgsql
from sqlalchemy import text

from core import asset_keys as keys
from core import sql_files
from core.build_mode import FULL_REBUILD_TAG
from pipelines.run_tags import full_range_run_tags
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource, driver_connection
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import World, generate_world
from tests.sync_env import AS_OF, run_nightly_job, simulator_environment

SCALE = 400
HISTORY = "dq_results"
DOWNSTREAM_OF_LANDING = (
    keys.STAGING_CASE, keys.STAGING_CASE_LINK, keys.FACT_CASE, keys.FACT_PETITION, keys.FACT_RATING,
    keys.BACKLOG_RECONCILIATION, keys.RESIDUE_CASE,
    keys.BACKLOG_RESIDUE_SNAPSHOT, keys.DQ_RESULTS, keys.INDICATOR_MONTHLY, keys.SCORE766_MONTHLY,
    keys.TTHC_PERIOD_REPORT,
)  # fmt: skip
READS_CASES = (
    keys.STAGING_CASE, keys.STAGING_CASE_LINK, keys.FACT_CASE, keys.FACT_PETITION, keys.FACT_RATING,
    keys.BACKLOG_RECONCILIATION, keys.RESIDUE_CASE,
    keys.DQ_RESULTS, keys.INDICATOR_MONTHLY, keys.TTHC_PERIOD_REPORT, keys.SCORE766_MONTHLY,
)  # fmt: skip
AS_OF_STEPS = (timedelta(0), timedelta(hours=1), timedelta(days=1), timedelta(days=20))


@dataclass
class Synced:
    """A warehouse synced from a running simulator, and the `as_of` of its latest run."""

    world: World
    servers: SimulatorServers
    warehouse: WarehouseResource
    as_of: datetime


@pytest.fixture
def synced(pg_admin_uri: str, template_db: str) -> Iterator[Synced]:
    """A fresh warehouse after one nightly run (a full build) from a fault-free simulator."""
    name = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    world = generate_world(scale=SCALE, seed=71)
    try:
        with (
            SimulatorServers(world, faults=Faults.none()) as servers,
            simulator_environment(servers, warehouse.url),
        ):
            assert run_nightly_job(AS_OF).success
            yield Synced(world, servers, warehouse, AS_OF)
    finally:
        drop_database(pg_admin_uri, name)


def published(warehouse: WarehouseResource, as_of: datetime) -> dict[str, Counter]:
    """Every mart table as a multiset of rows; of the history, the rows of the run of `as_of` without it."""
    snapshot: dict[str, Counter] = {}
    with warehouse.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart' "
                "AND table_type = 'BASE TABLE'"
            )
        ).scalars()
        cursor = driver_connection(conn).cursor()
        for table in sorted(tables):
            if table == HISTORY:
                query = pgsql.SQL(
                    "SELECT suite, expectation, success, element_count, unexpected_count"
                    " FROM mart.dq_results WHERE run_at = %s"
                )
                snapshot[table] = Counter(map(tuple, cursor.execute(query, (as_of,))))
            else:
                query = pgsql.SQL("SELECT * FROM {}").format(pgsql.Identifier("mart", table))
                snapshot[table] = Counter(map(tuple, cursor.execute(query)))
    return snapshot


def run_downstream(as_of: datetime, *, full: bool) -> dg.ExecuteInProcessResult:
    """The nightly job's assets after landing, in process, incremental or rebuilt in full."""
    from pipelines.definitions import defs

    tags = full_range_run_tags(as_of) | ({FULL_REBUILD_TAG: "true"} if full else {})
    return defs.resolve_job_def("nightly_sync").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        tags=tags,
        raise_on_error=False,
        asset_selection=list(DOWNSTREAM_OF_LANDING),
    )


def materialization_metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    """The metadata values of the materialisation of one asset in a run (of its last partition)."""
    event = result.asset_materializations_for_node("__".join(key.path))[-1]
    return {name: getattr(value, "value", value) for name, value in event.metadata.items()}


def check_evaluations(result: dg.ExecuteInProcessResult, name: str) -> list[dg.AssetCheckEvaluation]:
    """The evaluations of the checks of one multi-check step in a run."""
    return [
        event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION" and event.step_key == name
    ]


def assert_validations_carried_over(result: dg.ExecuteInProcessResult) -> None:
    """Nothing changed: both validations took the results of the last one (GX not run), and said so."""
    assert materialization_metadata(result, keys.DQ_RESULTS)["validated_by"].startswith("unchanged since")
    integrity = check_evaluations(result, "fact_case_integrity_checks")
    assert integrity, "the integrity checks were evaluated"
    for evaluation in integrity:
        assert evaluation.metadata["carried_over"].value is True, evaluation.check_name
        assert evaluation.metadata["validated_by"].value.startswith("unchanged since"), evaluation.check_name


def test_incremental_builds_equal_a_full_rebuild_after_change_batches(synced: Synced) -> None:
    @settings(
        max_examples=3,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        batches=st.lists(st.tuples(st.integers(5, 60), st.integers(0, 10_000)), min_size=0, max_size=2),
        as_of_step=st.sampled_from(AS_OF_STEPS),
    )
    @example(batches=[], as_of_step=timedelta(0))
    @example(batches=[], as_of_step=timedelta(days=1))
    def property_holds(batches: list[tuple[int, int]], as_of_step: timedelta) -> None:
        for size, seed in batches:
            with synced.servers.lock:
                touched = synced.world.apply_changes(size, seed=seed)
            assert touched.petition_keys and touched.rating_keys, "the batch touches petitions and ratings"
        synced.as_of += as_of_step
        incremental = run_nightly_job(synced.as_of)
        assert incremental.success
        staged = materialization_metadata(incremental, keys.STAGING_CASE)
        assert staged["build_mode"] == "incremental", staged["build_reason"]
        if not batches:
            assert_validations_carried_over(incremental)
        after_changes = published(synced.warehouse, synced.as_of)
        rebuilt = run_downstream(synced.as_of, full=True)
        assert rebuilt.success
        for key in (keys.FACT_CASE, keys.FACT_PETITION, keys.FACT_RATING):
            assert materialization_metadata(rebuilt, key)["build_mode"] == "full", key
        assert published(synced.warehouse, synced.as_of) == after_changes
        consumed = run_downstream(synced.as_of, full=False)  # so that the next run is incremental
        assert consumed.success
        assert published(synced.warehouse, synced.as_of) == after_changes

    property_holds()


def test_a_rerun_with_nothing_changed_reads_no_case_rows_downstream(synced: Synced) -> None:
    before = published(synced.warehouse, synced.as_of)
    rerun = run_nightly_job(synced.as_of)
    assert rerun.success
    for key in READS_CASES:
        metadata = materialization_metadata(rerun, key)
        assert metadata["build_mode"] == "incremental", (key, metadata["build_reason"])
        assert (metadata["rows_read"], metadata["rows_written"]) == (0, 0), key
    assert_validations_carried_over(rerun)
    for key in (keys.INDICATOR_MONTHLY, keys.TTHC_PERIOD_REPORT, keys.SCORE766_MONTHLY):
        assert materialization_metadata(rerun, key).get("unchanged") is True, key
    assert published(synced.warehouse, synced.as_of) == before


def test_counted_months_and_periods_take_the_changes_as_a_difference_of_counts(synced: Synced) -> None:
    with synced.servers.lock:
        synced.world.apply_changes(60, seed=5)
    synced.as_of += timedelta(hours=1)
    incremental = run_nightly_job(synced.as_of)
    assert incremental.success
    indicators = materialization_metadata(incremental, keys.INDICATOR_MONTHLY)
    periods = materialization_metadata(incremental, keys.TTHC_PERIOD_REPORT)
    assert (indicators["months_by_difference"] > 0, indicators["months_recomputed"]) == (True, 0), indicators
    assert (periods["periods_by_difference"] > 0, periods["periods_recomputed"]) == (True, 0), periods
    after_changes = published(synced.warehouse, synced.as_of)
    assert run_downstream(synced.as_of, full=True).success
    assert published(synced.warehouse, synced.as_of) == after_changes


def test_months_a_partition_run_counted_are_recomputed_by_the_next_build(synced: Synced) -> None:
    from pipelines.definitions import defs

    later = synced.as_of + timedelta(days=20)
    partition = defs.resolve_job_def("nightly_sync").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        tags={"dagster/partition": "2026-11-01", "egov_sync/as_of": later.isoformat()},
        asset_selection=[keys.INDICATOR_MONTHLY],
        raise_on_error=False,
    )
    assert partition.success
    with synced.servers.lock:
        synced.world.apply_changes(30, seed=9)
    synced.as_of = later + timedelta(days=2)
    assert run_nightly_job(synced.as_of).success
    after_changes = published(synced.warehouse, synced.as_of)
    assert run_downstream(synced.as_of, full=True).success
    assert published(synced.warehouse, synced.as_of) == after_changes


def move_procedure(world: World) -> None:
    """A procedure of field KCB moves to field DUOC."""
    procedure = next(p for p in world.builder.procedures if p.get("MaLinhVuc") == "KCB")
    procedure["MaLinhVuc"], procedure["TenLinhVuc"] = "DUOC", "Dược"


def merge_unit(world: World) -> None:
    """A district unit is merged into the Department."""
    unit = next(u for u in world.builder.units if u["Cap"] == "HUYEN" and not u["MaDonViKeThua"])
    unit["MaDonViKeThua"], unit["HieuLucDen"] = "000.00.31.H19", "20251001000000"


@pytest.mark.parametrize("change", [move_procedure, merge_unit], ids=["procedure", "unit"])
def test_a_catalogue_change_widens_the_changes(synced: Synced, change: Callable[[World], None]) -> None:
    with synced.servers.lock:
        change(synced.world)
    synced.as_of += timedelta(hours=1)
    incremental = run_nightly_job(synced.as_of)
    assert incremental.success
    after_changes = published(synced.warehouse, synced.as_of)
    assert run_downstream(synced.as_of, full=True).success
    assert published(synced.warehouse, synced.as_of) == after_changes


@dataclass(frozen=True)
class TemplateChange:
    """An edit of one query file, and what the next incremental run must rebuild for it."""

    path: str
    old: str
    new: str
    rebuilt: tuple[dg.AssetKey, ...]
    kept: tuple[dg.AssetKey, ...]


TEMPLATE_CHANGES = {
    "indicators": TemplateChange(
        "queries/indicators.sql", "('online_rate', c.channel = 2, true)",
        "('online_rate', c.channel <> 1, true)",
        rebuilt=(keys.INDICATOR_MONTHLY, keys.SCORE766_MONTHLY),
        kept=(keys.FACT_CASE, keys.TTHC_PERIOD_REPORT),
    ),
    "score766": TemplateChange(
        "queries/score766.sql", "CASE WHEN 5 * n.numerator >= 4 * n.denominator THEN 4",
        "CASE WHEN 5 * n.numerator > 4 * n.denominator THEN 4",
        rebuilt=(keys.SCORE766_MONTHLY,), kept=(keys.FACT_CASE, keys.INDICATOR_MONTHLY),
    ),
    "fact_petition": TemplateChange(
        "queries/fact_petition.sql", "p.has_answer, p.has_reject_reason,",
        "NOT p.has_answer AS has_answer, p.has_reject_reason,",
        rebuilt=(keys.FACT_PETITION, keys.DQ_RESULTS, keys.INDICATOR_MONTHLY, keys.SCORE766_MONTHLY),
        kept=(keys.FACT_CASE, keys.FACT_RATING, keys.TTHC_PERIOD_REPORT),
    ),
    "fact_case": TemplateChange(
        "queries/fact_case.sql", "n.has_e_result, n.is_digitized,",
        "n.has_e_result, NOT n.is_digitized AS is_digitized,",
        rebuilt=(keys.FACT_CASE, keys.FACT_PETITION, keys.FACT_RATING, keys.DQ_RESULTS,
                 keys.INDICATOR_MONTHLY, keys.TTHC_PERIOD_REPORT, keys.SCORE766_MONTHLY),
        kept=(keys.STAGING_CASE, keys.BACKLOG_RECONCILIATION),
    ),
}  # fmt: skip


def edit_query(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, change: TemplateChange) -> None:
    """Serve the named statements from a copy of `warehouse_sql/` with one query file edited."""
    root = tmp_path / "warehouse_sql"
    shutil.copytree(sql_files.SQL_ROOT, root)
    edited = root / change.path
    text_before = edited.read_text(encoding="utf-8")
    assert change.old in text_before
    edited.write_text(text_before.replace(change.old, change.new), encoding="utf-8")
    monkeypatch.setattr(sql_files, "SQL_ROOT", root)
    sql_files.named_statements.cache_clear()


@pytest.mark.parametrize("change", TEMPLATE_CHANGES.values(), ids=list(TEMPLATE_CHANGES))
def test_a_changed_template_rebuilds_its_build_and_what_comes_after_it(
    synced: Synced, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, change: TemplateChange
) -> None:
    edit_query(monkeypatch, tmp_path, change)
    try:
        synced.as_of += timedelta(hours=1)
        upgraded = run_nightly_job(synced.as_of)
        assert upgraded.success
        after_upgrade = published(synced.warehouse, synced.as_of)
        assert run_downstream(synced.as_of, full=True).success
        assert published(synced.warehouse, synced.as_of) == after_upgrade
        keys_built = change.rebuilt + change.kept
        modes = {key: materialization_metadata(upgraded, key)["build_mode"] for key in keys_built}
        assert modes == {key: "full" if key in change.rebuilt else "incremental" for key in modes}
        reason = materialization_metadata(upgraded, change.rebuilt[0])["build_reason"]
        assert reason.startswith("its code changed since the last build"), reason
    finally:
        monkeypatch.undo()
        sql_files.named_statements.cache_clear()
