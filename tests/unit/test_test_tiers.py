"""Unit tests need no server: none imports what starts the simulator or reaches PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_scan import imported_modules, python_files

ROOT = Path(__file__).resolve().parents[2]
SERVER_MODULES = frozenset({
    "psycopg", "resources.embedded_postgres", "resources.scratch_databases", "simulator.server", "tests.pg",
    "tests.sync_env",
})


@pytest.mark.parametrize("path", python_files(ROOT / "tests" / "unit"), ids=lambda p: p.name)
def test_unit_tests_start_no_server(path: Path) -> None:
    assert sorted(imported_modules(path, ROOT) & SERVER_MODULES) == []
