"""The data dictionary the code location shows (`warehouse_sql/catalogue.json`) is the migrated warehouse's.

After a migration changed a table, regenerate it with
`EGOV_SYNC_UPDATE_SNAPSHOTS=1 pytest tests/integration/test_catalogue.py` and review its diff.
"""

from __future__ import annotations

import os

from core.catalogue import CATALOGUE_FILE, catalogue_json, read_catalogue, table_of
from pipelines.definitions import defs
from resources.warehouse import WarehouseResource


def test_the_stored_catalogue_is_the_migrated_one(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        current = catalogue_json(read_catalogue(conn))
    if os.environ.get("EGOV_SYNC_UPDATE_SNAPSHOTS") == "1":
        CATALOGUE_FILE.write_text(current, encoding="utf-8")
    assert CATALOGUE_FILE.read_text(encoding="utf-8") == current


def test_every_table_asset_has_its_table_in_the_warehouse(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        tables = read_catalogue(conn)
    for key in defs.resolve_asset_graph().get_all_asset_keys():
        table = table_of(key)
        assert table is None or tables[table].columns, key.to_user_string()
