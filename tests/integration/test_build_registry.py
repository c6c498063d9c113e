"""The registry's runner on a real warehouse: a build added to the registry never loses a change-log entry,
the staging log takes exactly the declared kinds, and the fact image columns are declared once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Connection, text

from resources.publication import Publication
from resources.warehouse import WarehouseResource
from tests.builders import CUTOVER, local
from transform.builds import Build, BuildInputs, BuildRun
from transform.case_universe import FACTS
from transform.change_log import FACT_IMAGE_COLUMNS, EntryKind
from transform.registry import REGISTRY

INPUTS = BuildInputs(as_of=local(2025, 7, 15, 1, 0), cutover=CUTOVER, pii_hash_key="test-key")
LOG_OFFICIALS = text(
    "INSERT INTO staging.change_log (kind, source_system, record_key)"
    " SELECT 'official', 'newsys', 'official-' || n FROM generate_series(1, 3) AS n"
)
COLUMN_TYPES = text(
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute AS a"
    " WHERE a.attrelid = CAST(:table AS regclass) AND a.attnum > 0 AND NOT a.attisdropped"
)
KIND_CHECK = text(
    "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE conrelid = 'staging.change_log'::regclass AND conname = 'change_log_kind_check'"
)


def seen_changes(seen: list[int]) -> Build:
    """A build after the facts that publishes nothing and remembers how many pending entries it saw."""

    def compute(conn: Connection, run: BuildRun) -> Publication:
        seen.append(run.changes)
        return Publication()

    name = "a_build_added_later"
    return Build(name, publishes="staging.build_cursor", sql=(), compute=compute, after=FACTS)


def test_a_build_added_to_the_registry_never_loses_an_entry(warehouse: WarehouseResource) -> None:
    seen: list[int] = []
    added = seen_changes(seen)
    registry = REGISTRY.with_builds(added)
    with warehouse.begin() as conn:
        for build in registry.builds:
            registry.run(conn, build, INPUTS)
        conn.execute(LOG_OFFICIALS)
    with warehouse.begin() as conn:
        for build in REGISTRY.builds:
            assert not registry.run(conn, build, INPUTS).full, build.name
    with warehouse.begin() as conn:
        run = registry.run(conn, added, INPUTS)
    assert (run.full, seen[-1]) == (False, 3)


def test_a_build_not_in_the_registry_is_not_run(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn, pytest.raises(ValueError, match="not declared in the registry"):
        REGISTRY.run(conn, seen_changes([]), INPUTS)


def test_the_staging_log_takes_the_declared_kinds(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        definition = conn.execute(KIND_CHECK).scalar_one()
    assert set(re.findall(r"'(\w+)'::text", definition)) == {kind.value for kind in EntryKind}


def test_the_fact_image_columns_are_logged_with_the_types_of_fact_case(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        logged = dict(conn.execute(COLUMN_TYPES, {"table": "staging.change_log"}).tuples().all())
        facts = dict(conn.execute(COLUMN_TYPES, {"table": "mart.fact_case"}).tuples().all())
    assert {name: logged.get(name) for name in FACT_IMAGE_COLUMNS} == {
        name: facts[name] for name in FACT_IMAGE_COLUMNS
    }
