"""The migrated template database that every test's fresh warehouse is cloned from."""

from __future__ import annotations

from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database
from resources.warehouse import WarehouseResource, engine_for


def migrated_template(admin_uri: str) -> str:
    """A database with every migration applied, to clone per test."""
    name = create_database(admin_uri)
    url = sqlalchemy_url(admin_uri, name)
    WarehouseResource(url=url).migrate()
    engine_for(url).dispose()
    return name
