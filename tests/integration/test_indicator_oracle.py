"""The SQL indicators against the independent Python oracle, on random case sets."""

import random
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from pipelines.run_tags import full_range_run_tags
from resources.warehouse import WarehouseResource
from tests.indicator_data import AS_OF, VN, insert_cases, install_sources
from tests.integration.test_indicators import counts, indicator_rows, run_assets
from tests.oracle.facts import Fact, fact_row, vneid_scope
from tests.oracle.model import UnitChains
from tests.oracle.monthly_indicators import indicators
from tests.oracle.source_records import Case, Official

SUCCESSORS: dict[str, str | None] = {"U1": None, "U2": None, "U3": None, "U4": "U1", "U5": "U4", "U6": None}
UNIT_CODES = [*SUCCESSORS, "X9", None]
OFFICIAL_NAMES = [f"cb{n}" for n in range(10)]
FIRST_DAY = datetime(2024, 11, 1, 8, 0, tzinfo=VN)


def random_case(rng: random.Random, number: int) -> Case:
    """A random canonical case received between November 2024 and the month of AS_OF."""
    status = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9, 10, 9, 10])
    received = FIRST_DAY + timedelta(hours=rng.randrange(0, 24 * 285))
    due = None if rng.random() < 0.03 else received + timedelta(days=rng.randrange(1, 30))
    finished = None
    if status in (3, 7, 8, 9, 10):
        finished = (
            due if due and rng.random() < 0.1 else received + timedelta(hours=rng.randrange(1, 24 * 45))
        )
        finished = min(finished, AS_OF - timedelta(minutes=1))
    source = "egov" if rng.random() < 0.2 else "newsys"
    return Case(
        source=source, record_key=str(number), case_no=f"K{number}", legacy_case_no_raw=None, origin=None,
        procedure_code="P1", original_unit_code=rng.choice(UNIT_CODES), channel=rng.choice([1, 2, 3, None]),
        status_code=status, received_at=received, due_at=due, finished_at=finished, returned_at=None,
        has_result=finished is not None, has_e_result=rng.random() < 0.6, is_digitized=rng.random() < 0.5,
        payment=rng.choice([None, "online", "offline"]), rating=rng.choice([None, 1, 2, 3]),
        has_apology=rng.random() < 0.5, synced_national=None if source == "egov" else rng.random() < 0.9,
        stop_reason=None, applicant_id=None, is_deleted=False,
        handlers=frozenset(rng.sample(OFFICIAL_NAMES, rng.randrange(0, 3))),
    )  # fmt: skip


def random_officials(rng: random.Random) -> list[Official]:
    """Officials with random units (some merged, unknown or missing), account kinds and activity."""
    return [
        Official(name, rng.choice(UNIT_CODES), rng.choice(["VNEID", "NOI_BO"]), rng.random() < 0.8)
        for name in OFFICIAL_NAMES
    ]


def load(
    warehouse: WarehouseResource, facts: list[Fact], officials: list[Official], chains: UnitChains
) -> None:
    """Replace the hand-made sources by the random facts, their histories, officials and units."""
    with warehouse.begin() as conn:
        for statement in (
            "DELETE FROM mart.fact_case",
            "DELETE FROM staging.case",
            "DELETE FROM staging.unit_current",
            "DELETE FROM raw.newsys_official",
        ):
            conn.exec_driver_sql(statement)
        insert_cases(conn, [fact_row(fact, "test-key") for fact in facts])
        conn.execute(
            text("INSERT INTO staging.case VALUES (:s, :k, :h, NULL, false)"),
            [{"s": f.case.source, "k": f.case_key, "h": sorted(f.case.handlers)} for f in facts],
        )
        conn.execute(
            text("INSERT INTO staging.unit_current VALUES (:u, :c, 0)"),
            [{"u": code, "c": chains.current(code)} for code in SUCCESSORS],
        )
        conn.execute(
            text(
                "INSERT INTO raw.newsys_official"
                " (user_name, unit_code, account_type, is_active, payload, fetched_at)"
                " VALUES (:n, :u, :t, :a, '{}', now())"
            ),
            [{"n": o.user_name, "u": o.unit_code, "t": o.account_type, "a": o.is_active} for o in officials],
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_indicators_equal_the_oracle(warehouse: WarehouseResource, seed: int) -> None:
    rng = random.Random(seed)
    chains = UnitChains(SUCCESSORS)
    cases = [random_case(rng, number) for number in range(400)]
    facts = [
        Fact(
            ("EGOV:" if c.source == "egov" else "") + c.case_no, c, None, chains.current(c.original_unit_code)
        )
        for c in cases
    ]
    officials = random_officials(rng)
    install_sources(warehouse)
    load(warehouse, facts, officials, chains)
    run_assets(warehouse, tags=full_range_run_tags(AS_OF))
    scope = vneid_scope(facts, SimpleNamespace(officials=officials))  # type: ignore[arg-type]
    expected = indicators(facts, scope, chains, AS_OF)
    assert len(expected) > 300
    assert {code for _, _, code in expected} >= {"on_time_rate", "official_vneid_rate", "apology_rate"}
    assert counts(indicator_rows(warehouse)) == expected
