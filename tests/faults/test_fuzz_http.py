"""Malformed records served over HTTP, read by the real clients and landed into PostgreSQL: each lands or is
quarantined with its reasons, or the read fails with an error naming source and page; nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from ingest.egov_case import parse_egov_case
from ingest.entities import EGOV_CASE, NEWSYS_CASE
from ingest.loader import land_stream
from ingest.newsys_case import parse_newsys_case
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


def read_and_land(warehouse: WarehouseResource, servers: SimulatorServers, source: str) -> SourceError | None:
    """Land one source's cases through the real client; the SourceError when the read failed."""
    resources = fast_resources(servers, warehouse, max_attempts=2)
    if source == "egov":
        spec, pages = EGOV_CASE, resources["egov"].iter_case_pages(None, FetchStats())
        parse = parse_egov_case
    else:
        spec, pages = NEWSYS_CASE, resources["newsys"].iter_case_pages(None, FetchStats())
        parse = parse_newsys_case
    try:
        land_stream(warehouse.engine(), spec, pages, parse, run_id="fuzz", batch_size=50)
    except SourceError as error:
        return error
    return None


def landed(warehouse: WarehouseResource, source: str) -> tuple[set[str], dict[str, list[str]]]:
    """Keys in the raw table and open quarantine (with reasons) of one source's cases."""
    table, key = ("raw.egov_case", "egov_id::text") if source == "egov" else ("raw.newsys_case", "case_no")
    with warehouse.begin() as conn:
        rows = {r[0] for r in conn.execute(text(f"SELECT {key} FROM {table}"))}
        bad = {
            r.record_key: sorted(r.reasons)
            for r in conn.execute(
                text(
                    "SELECT record_key, reasons FROM raw.quarantine "
                    "WHERE source = :s AND entity = 'case' AND resolved_at IS NULL"
                ),
                {"s": source},
            )
        }
    return rows, bad


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    source=st.sampled_from(["egov", "newsys"]),
    spoilt=st.lists(st.tuples(st.integers(0, 150), st.text(min_size=1, max_size=1), OVER_HTTP), max_size=4),
)
def test_spoilt_records_over_http_land_or_are_quarantined_or_fail_clearly(
    pg_admin_uri: str,
    template_db: str,
    world: World,
    servers: SimulatorServers,
    source: str,
    spoilt: list[tuple[int, str, Any]],
) -> None:
    records = world._egov if source == "egov" else world._new
    saved = [(records[i], records[i].raw) for i, _, _ in spoilt]
    fields = sorted((world.egov_records() if source == "egov" else world.newsys_records())[0])
    for index, pick, value in spoilt:
        records[index].raw = dict(records[index].raw or {}, **{fields[ord(pick) % len(fields)]: value})
    name = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    try:
        error = read_and_land(warehouse, servers, source)
        rows, bad = landed(warehouse, source)
        if error is not None:
            assert str(error).startswith(f"{source} GET "), str(error)
            assert error.target.position.startswith(("page ", "cursor ", "first page")), str(error)
            return
        served = world.egov_records() if source == "egov" else world.newsys_records()
        parse = parse_egov_case if source == "egov" else parse_newsys_case
        expected = {}
        for record in served:
            parsed = parse(record)
            expected[parsed.key] = sorted(parsed.reasons) if not parsed.valid else None
        assert rows | set(bad) == set(expected), "every served record lands or is quarantined"
        assert {k: v for k, v in expected.items() if v is not None} == bad
    finally:
        for record, raw in saved:
            record.raw = raw
        warehouse.engine().dispose()
        drop_database(pg_admin_uri, name)

