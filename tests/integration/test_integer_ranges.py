"""Integers outside their field's range are quarantined with the reason; none is ever landed wrapped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from ingest.egov_case import parse_egov_case
from ingest.entities import EGOV_CASE, NEWSYS_CASE, NEWSYS_PROCEDURE, EntitySpec
from ingest.loader import ColumnOverflow, land_stream
from ingest.newsys_case import parse_newsys_case
from ingest.newsys_catalog import parse_procedure
from ingest.reader import Parsed
from resources.warehouse import WarehouseResource
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.faults.source_setup import fast_resources, land
from tests.unit.test_ingest_parsing import PROCEDURE, egov_case, newsys_case

SPOILT_DAYS = {"9.000001": 2**31, "9.000002": -3, "9.000003": 0, "9.000004": 2**63}


def test_legal_times_outside_their_range_are_quarantined_never_landed_wrapped(
    warehouse: WarehouseResource,
) -> None:
    world = generate_world(scale=200, seed=3)
    template = dict(world.builder.procedures[0])
    for code, days in SPOILT_DAYS.items():
        world.builder.procedures.append(template | {"MaTTHC": code, "ThoiHanGiaiQuyet": days})
    with SimulatorServers(world) as servers:
        result = land(fast_resources(servers, warehouse))
    assert result.success
    with warehouse.begin() as conn:
        landed = dict(conn.execute(text("SELECT procedure_code, legal_days FROM raw.newsys_procedure")).all())
        bad = dict(
            conn.execute(
                text("SELECT record_key, reasons FROM raw.quarantine WHERE entity = 'procedure'")
            ).all()
        )
    assert not set(SPOILT_DAYS) & set(landed)
    assert min(landed.values()) >= 1
    assert {code: bad[code] for code in SPOILT_DAYS} == {
        code: ["out_of_range:ThoiHanGiaiQuyet"] for code in SPOILT_DAYS
    }


def spoilt(parse: Callable[[Any], Parsed], payload: dict[str, Any], column: str, value: int) -> Parsed:
    """A record its parser found valid, with one integer column set to `value` afterwards."""
    parsed = parse(payload)
    assert parsed.valid, parsed.reasons
    parsed.row = parsed.row._replace(**{column: value})
    return parsed


@pytest.mark.parametrize(
    ("spec", "parse", "payload", "column", "value"),
    [
        (NEWSYS_PROCEDURE, parse_procedure, PROCEDURE, "legal_days", 2**31),
        (NEWSYS_PROCEDURE, parse_procedure, PROCEDURE, "legal_days", -(2**31) - 1),
        (NEWSYS_PROCEDURE, parse_procedure, PROCEDURE, "service_level", 2**15),
        (NEWSYS_CASE, parse_newsys_case, newsys_case(), "status_code", 2**15 + 9),
        (NEWSYS_CASE, parse_newsys_case, newsys_case(), "rating", -(2**15) - 1),
        (EGOV_CASE, parse_egov_case, egov_case(), "channel", 2**16),
        (EGOV_CASE, parse_egov_case, egov_case(), "egov_id", 2**63),
    ],
)
def test_the_loader_refuses_a_value_its_column_cannot_hold(
    warehouse: WarehouseResource,
    spec: EntitySpec,
    parse: Callable[[Any], Parsed],
    payload: dict[str, Any],
    column: str,
    value: int,
) -> None:
    good = parse(payload)
    record = spoilt(parse, payload, column, value)
    with pytest.raises(ColumnOverflow) as caught:
        land_stream(warehouse.engine(), spec, [[record]], lambda parsed: parsed, run_id="overflow")
    assert caught.value.table == spec.table and caught.value.column == column
    assert f"{spec.table}.{column}" in str(caught.value) and str(value) in str(caught.value)
    with warehouse.begin() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {spec.table}")).scalar() == 0
    land_stream(warehouse.engine(), spec, [[good]], lambda parsed: parsed, run_id="fits")
    with warehouse.begin() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {spec.table}")).scalar() == 1
