"""Named SQL statements: every query file loads, no name is used twice, no query copies the time zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.local_time import LOCAL_TZ_NAME
from core.sql_files import SQL_ROOT, named_statements

QUERY_FILES = sorted((SQL_ROOT / "queries").glob("*.sql"))


def test_a_file_naming_two_statements_alike_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.sql"
    path.write_text("-- name: sample\nSELECT 1\n\n-- name: sample\nSELECT 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="names two statements 'sample'"):
        named_statements(str(path))


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda path: path.name)
def test_every_query_file_loads(path: Path) -> None:
    assert named_statements(str(path))


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda path: path.name)
def test_queries_read_the_time_zone_from_meta_local_zone(path: Path) -> None:
    assert LOCAL_TZ_NAME not in path.read_text(encoding="utf-8")
