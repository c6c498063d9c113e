"""The data version an asset's materialisation carries: the `meta.table_version` of the table it publishes,
raised in the transaction of every change to that table, so an unchanged table keeps its data version and
Dagster does not mark the assets downstream of it stale."""

from __future__ import annotations

import dagster as dg

from core.catalogue import table_of
from resources.table_versions import current_version
from resources.warehouse import WarehouseResource


def table_data_version(warehouse: WarehouseResource, key: dg.AssetKey) -> dg.DataVersion | None:
    """The data version of the table `key` publishes, as it is now; None for an asset without a table."""
    table = table_of(key)
    if table is None:
        return None
    with warehouse.begin() as conn:
        return dg.DataVersion(str(current_version(conn, table)))
