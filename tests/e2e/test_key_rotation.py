"""Rotating PII_HASH_KEY re-keys every applicant of mart.fact_case on the next run; nothing else changes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from psycopg import sql as pgsql
from sqlalchemy import text

from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource, driver_connection
from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import generate_world
from tests.oracle.expected import expected_fact_case, truth_for_world
from tests.sync_env import AS_OF, run_nightly_job, simulator_environment

OLD_KEY = "rotation-old-key-0123456789abcdef01234"
NEW_KEY = "rotation-new-key-ắ-0123456789abcdef0123"
REWRITTEN_PER_RUN = {"dq_results"}


def mart_tables(warehouse: WarehouseResource) -> dict[str, list[dict[str, Any]]]:
    """Every row of every mart table, with its xmin, per table."""
    with warehouse.begin() as conn:
        tables = conn.execute(
            text("SELECT table_name FROM information_schema.tables"
                 " WHERE table_schema = 'mart' AND table_type = 'BASE TABLE'")
        ).scalars().all()
        cursor = driver_connection(conn).cursor()
        snapshot = {}
        for table in sorted(tables):
            query = pgsql.SQL("SELECT xmin::text AS xmin, t.* FROM {} AS t")
            cursor.execute(query.format(pgsql.Identifier("mart", table)))
            names = [column.name for column in cursor.description]
            snapshot[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return snapshot


def without(rows: list[dict[str, Any]], *columns: str) -> Counter:
    """The multiset of rows with some columns left out."""
    return Counter(tuple(sorted((k, repr(v)) for k, v in row.items() if k not in columns)) for row in rows)


def test_rotating_the_key_changes_every_applicant_key_and_nothing_else(
    pg_admin_uri: str, template_db: str
) -> None:
    name = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    world = generate_world(scale=600, seed=12)
    try:
        with SimulatorServers(world, faults=Faults.none()) as servers:
            with simulator_environment(servers, warehouse.url, pii_key=OLD_KEY):
                assert run_nightly_job().success
            before = mart_tables(warehouse)
            with simulator_environment(servers, warehouse.url, pii_key=NEW_KEY):
                assert run_nightly_job().success
            after = mart_tables(warehouse)
    finally:
        drop_database(pg_admin_uri, name)

    old_truth = expected_fact_case(truth_for_world(world, as_of=AS_OF, pii_key=OLD_KEY))
    new_truth = expected_fact_case(truth_for_world(world, as_of=AS_OF, pii_key=NEW_KEY))
    old_cases = {row["case_key"]: row for row in before["fact_case"]}
    new_cases = {row["case_key"]: row for row in after["fact_case"]}
    assert old_cases.keys() == new_cases.keys() == new_truth.keys()
    keyed = [key for key, row in old_cases.items() if row["applicant_key"] is not None]
    assert len(keyed) > len(old_cases) / 2
    for key, old in old_cases.items():
        new = new_cases[key]
        assert (old["applicant_key"], new["applicant_key"]) == (
            old_truth[key]["applicant_key"], new_truth[key]["applicant_key"]
        ), key
        assert {k: v for k, v in old.items() if k not in ("xmin", "applicant_key")} == {
            k: v for k, v in new.items() if k not in ("xmin", "applicant_key")
        }, key
        assert (old["applicant_key"] != new["applicant_key"]) == (old["applicant_key"] is not None), key
        assert (old["xmin"] == new["xmin"]) == (old["applicant_key"] is None), key

    assert before.keys() == after.keys()
    for table in before.keys() - {"fact_case"}:
        assert without(after[table], "xmin") == without(before[table], "xmin"), table
        if table not in REWRITTEN_PER_RUN:
            assert without(after[table]) == without(before[table]), table
