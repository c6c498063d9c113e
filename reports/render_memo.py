"""The report files' memo: a file is rendered again only when what it would show changed.

Its fingerprint covers the rows it is rendered from, the as_of date it counts days to and the report code
(the `reports` package and its templates); a run whose fingerprint is the one the files were last rendered
from, and that finds them as they were written (the digest of their bytes), leaves them as they are: the page
keeps its earlier "as of" time stamp, the one thing it shows that a later as_of on the same day changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row

from core.sql_files import sql

QUERIES = "queries/rendered_files.sql"
REPORT_CODE = Path(__file__).resolve().parent


@cache
def report_code_version() -> str:
    """A fingerprint of the report code: every module and template of the `reports` package."""
    digest = hashlib.sha256()
    for path in sorted(REPORT_CODE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".css"}:
            digest.update(f"{path.relative_to(REPORT_CODE)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def canonical(value: Any) -> Any:
    """A value as plain, ordered data: rows as tuples, dataclasses as their fields, mappings sorted."""
    if isinstance(value, Row):
        return tuple(canonical(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [field.name for field in dataclasses.fields(value) if field.name != "as_of"]
        return [(name, canonical(getattr(value, name))) for name in fields]
    if isinstance(value, dict):
        return sorted((repr(key), canonical(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def fingerprint(as_of_date: date, *parts: Any) -> str:
    """The fingerprint of a file rendered from `parts` as of `as_of_date` by this report code (a field
    `as_of` of a dataclass among them is left out: its date is the one given)."""
    digest = hashlib.sha256(f"{report_code_version()}\0{as_of_date.isoformat()}\0".encode())
    digest.update(repr(canonical(list(parts))).encode())
    return digest.hexdigest()


def content_digest(files: list[Path]) -> str | None:
    """A digest of the files' names and bytes; None when one is missing or not a regular file of its own."""
    digest = hashlib.sha256()
    for path in files:
        if path.is_symlink() or not path.is_file():
            return None
        digest.update(f"{path}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def rendered_files(conn: Connection, artifact: str, printed: str) -> list[Path] | None:
    """The files `artifact` was last rendered into, when that was from this fingerprint and they are still
    as written; else None (render again)."""
    row = conn.execute(sql(QUERIES, "rendered_file"), {"artifact": artifact}).first()
    if row is None or row.fingerprint != printed:
        return None
    files = [Path(name) for name in row.files]
    return files if content_digest(files) == row.content_digest else None


def remember(conn: Connection, artifact: str, printed: str, files: list[Path]) -> None:
    """Record that `artifact` was rendered into `files` from this fingerprint."""
    params = {"artifact": artifact, "fingerprint": printed, "files": [str(path) for path in files],
              "content_digest": content_digest(files)}  # fmt: skip
    conn.execute(sql(QUERIES, "save_rendered"), params)
