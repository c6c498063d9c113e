"""Versioned, re-runnable application of the warehouse DDL in `warehouse_sql/`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from core.sql_files import SQL_ROOT

MIGRATIONS_DIR = SQL_ROOT / "migrations"
_LOCK_ID = 70241224
PIPELINE_ROLE = "egov_sync_pipeline"
ROLES_MIGRATION = 61
_EQUIVALENT_TO = re.compile(r"^--\s*equivalent-to:\s*(?P<checksum>[0-9a-f]{64})\b", re.MULTILINE)


@dataclass(frozen=True)
class Migration:
    """One numbered DDL file (`NNN_name.sql`), applied once."""

    path: Path

    @property
    def version(self) -> int:
        """The number the file name starts with."""
        return int(self.path.stem.partition("_")[0])

    @property
    def name(self) -> str:
        """The file name after its number."""
        return self.path.stem.partition("_")[2]

    @property
    def checksum(self) -> str:
        """SHA-256 of the file, to notice an applied migration edited afterwards."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    @property
    def accepted_checksums(self) -> frozenset[str]:
        """Its checksum and those of earlier texts it declares equivalent (`-- equivalent-to: <sha256>`).

        An applied migration may only be rewritten into an equivalent form (same resulting schema, up to the
        order of columns), and only by declaring the text it replaces.
        """
        declared = _EQUIVALENT_TO.findall(self.path.read_text(encoding="utf-8"))
        return frozenset({self.checksum, *declared})


class MigrationError(RuntimeError):
    """The warehouse and the migration files disagree."""


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Numbered `NNN_name.sql` files in version order."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        if not path.stem.partition("_")[0].isdigit():
            raise MigrationError(f"migration file {path.name} does not start with a number")
        found.append(Migration(path))
    versions = [m.version for m in found]
    if len(versions) != len(set(versions)):
        raise MigrationError("two migration files share a version number")
    return found


def apply_migrations(conn: Connection) -> list[str]:
    """Apply pending migrations; return the names applied."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    if conn.execute(text("SELECT to_regclass('meta.schema_migration')")).scalar() is None:
        conn.execute(text("CREATE SCHEMA IF NOT EXISTS meta"))
        conn.execute(
            text(
                "CREATE TABLE meta.schema_migration ("
                " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
        )
    applied = dict(conn.execute(text("SELECT version, checksum FROM meta.schema_migration")).all())
    done = []
    for migration in discover_migrations():
        if migration.version in applied:
            if applied[migration.version] not in migration.accepted_checksums:
                raise MigrationError(
                    f"migration {migration.path.name} was changed after it was applied; add a new one instead"
                )
            continue
        if migration.version > ROLES_MIGRATION:
            act_as_pipeline_role(conn)
        _run_script(conn, migration.path)
        conn.execute(
            text("INSERT INTO meta.schema_migration (version, name, checksum) VALUES (:v, :n, :c)"),
            {"v": migration.version, "n": migration.name, "c": migration.checksum},
        )
        done.append(migration.path.name)
    return done


def act_as_pipeline_role(conn: Connection) -> None:
    """Run what follows in this transaction as the pipeline role, once the roles exist (migration 061).

    Objects a migration creates are then owned by the pipeline role whoever runs it, so the default
    privileges of that role (mart tables readable by reporting) apply to them.
    """
    member = conn.execute(
        text("SELECT pg_has_role(current_user, :role, 'MEMBER')"), {"role": PIPELINE_ROLE}
    ).scalar()
    if not member:
        raise MigrationError(
            f"the user running the migrations must be a member of {PIPELINE_ROLE} "
            "(README, Personal data and roles)"
        )
    conn.execute(text(f"SET LOCAL ROLE {PIPELINE_ROLE}"))


def _run_script(conn: Connection, path: Path) -> None:
    """Run a whole SQL file as it is (no placeholder processing), inside the caller's transaction."""
    conn.connection.driver_connection.execute(path.read_text(encoding="utf-8"))
