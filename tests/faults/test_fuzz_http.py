"""Malformed records of every entity served over HTTP, read by the real clients and landed into PostgreSQL:
each lands or is quarantined with its reasons, or the read fails with an error naming source and page;
nothing else."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from ingest.egov_case import parse_egov_case
from ingest.entities import EGOV_CASE, NEWSYS_CASE, NEWSYS_OFFICIAL, NEWSYS_PROCEDURE, NEWSYS_UNIT, EntitySpec
from ingest.loader import land_stream
from ingest.newsys_case import parse_newsys_case
from ingest.newsys_catalog import parse_official, parse_procedure, parse_unit
from ingest.reader import Parsed
from resources.embedded_postgres import sqlalchemy_url
from resources.http_retry import FetchStats, SourceError
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource
from simulator.server import SimulatorServers
from simulator.world import World, generate_world
from tests.faults.source_setup import fast_resources
from tests.faults.test_fuzz_parsers import NASTY

pytestmark = pytest.mark.integration
OVER_HTTP_LIMIT = 800


def printed_size_over(value: Any, limit: int) -> bool:
    """True when a (possibly very deeply nested) list would print longer than `limit` (no recursion)."""
    size, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            size += 2
            stack.extend(item)
        elif isinstance(item, dict):
            size += 2
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            size += len(repr(item)) + 2
        if size > limit:
            return True
    return False


OVER_HTTP = NASTY.filter(lambda v: not (isinstance(v, list) and printed_size_over(v, OVER_HTTP_LIMIT)))


@pytest.fixture(scope="module")
def world() -> World:
    """A small world whose records the test spoils and restores."""
    return generate_world(scale=200, seed=13)


@pytest.fixture(scope="module")
def servers(world: World) -> Iterator[SimulatorServers]:
    """Both simulated APIs, without faults."""
    with SimulatorServers(world) as running:
        yield running


@dataclass(frozen=True)
class Entity:
    """One served entity: how it lands, how the client reads it and how the test spoils one of its records."""

    spec: EntitySpec
    parse: Callable[[Any], Parsed]
    key: str
    read: Callable[[dict[str, Any]], Iterable[list[Any]]]
    served: Callable[[World], list[dict[str, Any]]]
    spoil: Callable[[World, int, str, Any], Callable[[], None]]


def spoil_raw(records: Callable[[World], list[Any]]) -> Callable[[World, int, str, Any], Callable[[], None]]:
    """Spoiling a record of a list whose items carry `raw` overrides; returns what restores it."""

    def spoil(world: World, index: int, field: str, value: Any) -> Callable[[], None]:
        record = records(world)[index % len(records(world))]
        saved = record.raw
        record.raw = dict(record.raw or {}, **{field: value})
        return lambda: setattr(record, "raw", saved)

    return spoil


def spoil_payload(records: Callable[[World], list[dict[str, Any]]]) -> Callable[..., Callable[[], None]]:
    """Spoiling a record of a list of served payloads; returns what restores it."""

    def spoil(world: World, index: int, field: str, value: Any) -> Callable[[], None]:
        payloads = records(world)
        position = index % len(payloads)
        saved = payloads[position]
        payloads[position] = dict(saved, **{field: value})
        return lambda: payloads.__setitem__(position, saved)

    return spoil


ENTITIES = {
    "egov": Entity(
        EGOV_CASE, parse_egov_case, "egov_id::text",
        lambda resources: resources["egov"].iter_case_pages(None, FetchStats()),
        World.egov_records, spoil_raw(lambda world: world._egov),
    ),
    "newsys": Entity(
        NEWSYS_CASE, parse_newsys_case, "case_no",
        lambda resources: resources["newsys"].iter_case_pages(None, FetchStats()),
        World.newsys_records, spoil_raw(lambda world: world._new),
    ),
    "official": Entity(
        NEWSYS_OFFICIAL, parse_official, "user_name",
        lambda resources: resources["newsys"].iter_official_pages(FetchStats()),
        World.officials, spoil_raw(World.official_list),
    ),
    "procedure": Entity(
        NEWSYS_PROCEDURE, parse_procedure, "procedure_code",
        lambda resources: [resources["newsys"].procedures(FetchStats())],
        World.procedures, spoil_payload(lambda world: world.builder.procedures),
    ),
    "unit": Entity(
        NEWSYS_UNIT, parse_unit, "unit_code",
        lambda resources: [resources["newsys"].units(FetchStats())],
        World.units, spoil_payload(lambda world: world.builder.units),
    ),
}  # fmt: skip


def read_and_land(
    warehouse: WarehouseResource, servers: SimulatorServers, entity: Entity
) -> SourceError | None:
    """Land one entity through the real client; the SourceError when the read failed."""
    resources = fast_resources(servers, warehouse, max_attempts=2)
    try:
        land_stream(warehouse.engine(), entity.spec, entity.read(resources), entity.parse, run_id="fuzz",
                    batch_size=50)  # fmt: skip
    except SourceError as error:
        return error
    return None


def landed(warehouse: WarehouseResource, entity: Entity) -> tuple[set[str], dict[str, list[str]]]:
    """Keys in the raw table and open quarantine (with reasons) of one entity."""
    spec = entity.spec
    with warehouse.begin() as conn:
        rows = {r[0] for r in conn.execute(text(f"SELECT {entity.key} FROM {spec.table}"))}
        bad = {
            r.record_key: sorted(r.reasons)
            for r in conn.execute(
                text(
                    "SELECT record_key, reasons FROM raw.quarantine "
                    "WHERE source = :source AND entity = :entity AND resolved_at IS NULL"
                ),
                spec.params(),
            )
        }
    return rows, bad


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    name=st.sampled_from(sorted(ENTITIES)),
    spoilt=st.lists(st.tuples(st.integers(0, 150), st.text(min_size=1, max_size=1), OVER_HTTP), max_size=4),
)
def test_spoilt_records_over_http_land_or_are_quarantined_or_fail_clearly(
    pg_admin_uri: str,
    template_db: str,
    world: World,
    servers: SimulatorServers,
    name: str,
    spoilt: list[tuple[int, str, Any]],
) -> None:
    entity = ENTITIES[name]
    fields = sorted(entity.served(world)[0])
    restores = [
        entity.spoil(world, index, fields[ord(pick) % len(fields)], value) for index, pick, value in spoilt
    ]
    database = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, database))
    try:
        error = read_and_land(warehouse, servers, entity)
        rows, bad = landed(warehouse, entity)
        if error is not None:
            source = entity.spec.source
            assert str(error).startswith(f"{source} GET "), str(error)
            one_page = entity.spec.entity in ("procedure", "unit")
            position = error.target.position
            assert position.startswith(("page ", "cursor ", "first page")) or (one_page and not position)
            return
        expected = {}
        for record in entity.served(world):
            parsed = entity.parse(record)
            expected[parsed.key] = sorted(parsed.reasons) if not parsed.valid else None
        assert rows | set(bad) == set(expected), "every served record lands or is quarantined"
        assert {k: v for k, v in expected.items() if v is not None} == bad
    finally:
        for restore in reversed(restores):
            restore()
        warehouse.engine().dispose()
        drop_database(pg_admin_uri, database)


EDGES = [0, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**30]


# Egov records and the catalogue are served in the order the world keeps them, so the n-th valid one served is
# the n-th valid one spoilt.
@pytest.mark.parametrize(("name", "field"), [("egov", "id"), ("procedure", "ThoiHanGiaiQuyet")])
def test_integers_at_their_edges_over_http_land_or_are_quarantined_as_out_of_range(
    warehouse: WarehouseResource, world: World, servers: SimulatorServers, name: str, field: str
) -> None:
    entity = ENTITIES[name]
    valid = [index for index, record in enumerate(entity.served(world)) if entity.parse(record).valid]
    restores = [entity.spoil(world, index, field, value) for index, value in zip(valid, EDGES, strict=False)]
    try:
        assert read_and_land(warehouse, servers, entity) is None
        rows, bad = landed(warehouse, entity)
        expected = {parsed.key: parsed for parsed in map(entity.parse, entity.served(world))}
    finally:
        for restore in reversed(restores):
            restore()
    low, high = (-(2**63), 2**63 - 1) if field == "id" else (1, 2**31 - 1)
    for value in EDGES:
        matching = [parsed for parsed in expected.values() if parsed.payload.get(field) == value]
        assert len(matching) == 1, value
        [parsed] = matching
        if low <= value <= high:
            assert parsed.key in rows and parsed.key not in bad, value
        else:
            assert bad[parsed.key] == [f"out_of_range:{field}"], value
            assert parsed.key not in rows
