"""Every asset reads like a data dictionary in the catalogue: the table it publishes with every column and
its comment, owners, and a `personal_data` tag exactly on the assets whose tables hold personal data."""

from __future__ import annotations

import dagster as dg

from core.catalogue import table_of, warehouse_catalogue
from pipelines.catalogue import PERSONAL_COLUMNS, PERSONAL_DATA_TAG
from pipelines.definitions import defs

GRAPH = defs.resolve_asset_graph()
KEYS = sorted(GRAPH.get_all_asset_keys(), key=lambda key: key.to_user_string())


def test_every_table_asset_shows_its_table_and_every_column() -> None:
    for key in KEYS:
        node = GRAPH.get(key)
        table = table_of(key)
        if table is None:
            assert key.path[0] == "report" and "dagster/table_name" not in node.metadata
            continue
        assert node.metadata["dagster/table_name"] == table
        schema = node.metadata["dagster/column_schema"]
        assert isinstance(schema, dg.TableSchema)
        stored = warehouse_catalogue()[table].columns
        assert [(c.name, c.type, c.description) for c in schema.columns] == [
            (c.name, c.type, c.description) for c in stored
        ]


def test_fact_case_columns_carry_their_migration_comments() -> None:
    schema = GRAPH.get(dg.AssetKey(["mart", "fact_case"])).metadata["dagster/column_schema"]
    described = {column.name: column.description for column in schema.columns}
    assert described["case_key"] and described["applicant_key"]
    assert all(described.values()), [name for name, text in described.items() if not text]


def test_every_asset_has_owners() -> None:
    for key in KEYS:
        owners = GRAPH.get(key).owners
        assert owners and all(owner.startswith("team:") for owner in owners), key.to_user_string()


def test_personal_data_is_tagged_where_it_is_and_only_in_restricted_schemas() -> None:
    tagged = {table_of(key) for key in KEYS if GRAPH.get(key).tags.get(PERSONAL_DATA_TAG) == "true"}
    assert tagged == set(PERSONAL_COLUMNS)
    for table, columns in PERSONAL_COLUMNS.items():
        assert table.split(".")[0] in ("raw", "staging")
        assert set(columns) <= {column.name for column in warehouse_catalogue()[table].columns}


def test_the_pseudonymised_applicant_key_is_tagged_on_its_column_only() -> None:
    node = GRAPH.get(dg.AssetKey(["mart", "fact_case"]))
    tags = {column.name: column.tags for column in node.metadata["dagster/column_schema"].columns}
    assert tags["applicant_key"] == {PERSONAL_DATA_TAG: "pseudonymous"}
    assert PERSONAL_DATA_TAG not in node.tags

