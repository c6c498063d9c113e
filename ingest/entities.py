"""What is landed for each source entity, and the landing statements rendered for it from `landing.sql`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from psycopg import sql as pgsql

from core.sql_files import column_list, identifier, render
from ingest.rows import (
    EGOV_CASE_COLUMNS,
    LANDING_COLUMNS,
    NEWSYS_CASE_COLUMNS,
    OfficialRow,
    PetitionRow,
    ProcedureRow,
    RatingRow,
    UnitRow,
)

LANDING_SQL = "queries/landing.sql"
PROTOCOL = (
    "create_valid_temp", "copy_valid", "restamp_valid", "upsert_valid", "resolve_quarantine",
    "discard_stale_bad", "drop_superseded_valid", "newest_sane_version",
)
VERSIONED_ONLY = ("restamp_valid",)
NO_VERSION = pgsql.SQL("NULL::timestamptz")


class WatermarkMode(StrEnum):
    """When a stream's watermark may advance."""

    NONE = "none"
    PER_BATCH = "per_batch"
    AT_END = "at_end"


@dataclass(frozen=True)
class EntitySpec:
    """One landed entity: its raw table, key, row columns and version column (None when unversioned)."""

    source: str
    entity: str
    table: str
    key: str
    row_columns: tuple[str, ...]
    version: str | None = "updated_at"
    key_type: str = "text"

    @property
    def versioned(self) -> bool:
        """True when records carry an update time that orders their versions."""
        return self.version is not None

    @property
    def columns(self) -> tuple[str, ...]:
        """The COPY column list: the row's columns, then the landing columns."""
        return self.row_columns + LANDING_COLUMNS

    @cached_property
    def statements(self) -> dict[str, str]:
        """The landing protocol's statements for this entity, by name."""
        def version_of(alias: str) -> pgsql.Composable:
            return pgsql.Identifier(alias, self.version) if self.version else NO_VERSION

        non_key = [name for name in self.columns if name != self.key]
        content = [name for name in self.row_columns if name not in (self.key, self.version)]
        parts = {
            "table": identifier(self.table),
            "key": pgsql.Identifier(self.key),
            "columns": column_list(self.columns),
            "v_columns": column_list(self.columns, "v"),
            "assignments": pgsql.SQL(", ").join(
                pgsql.SQL("{0} = EXCLUDED.{0}").format(pgsql.Identifier(name)) for name in non_key
            ),
            "v_version": version_of("v"),
            "r_version": version_of("r"),
            "excluded_version": version_of("excluded"),
            "version": pgsql.Identifier(self.version) if self.version else NO_VERSION,
            "bad_key": self._bad_key(),
            "r_content": column_list(content, "r"),
            "v_content": column_list(content, "v"),
            "excluded_content": column_list(content, "excluded"),
        }
        names = PROTOCOL if self.versioned else tuple(name for name in PROTOCOL if name not in VERSIONED_ONLY)
        return {name: render(LANDING_SQL, name, **parts) for name in names}

    def _bad_key(self) -> pgsql.Composable:
        """`b.record_key` (a quarantined record's key, text) as a value of the key's type, NULL when it is not
        one: a bigint key is compared as a bigint, so that its primary key finds the row."""
        if self.key_type == "text":
            return pgsql.SQL("b.record_key")
        if self.key_type != "bigint":
            raise ValueError(f"{self.table}: no key comparison for key type {self.key_type}")
        return pgsql.SQL(
            "CASE WHEN b.record_key ~ '^-?[0-9]{1,19}$' THEN CASE WHEN b.record_key::numeric"
            " BETWEEN -9223372036854775808 AND 9223372036854775807 THEN b.record_key::bigint END END"
        )

    def params(self) -> dict[str, str]:
        """The bind parameters naming this entity."""
        return {"source": self.source, "entity": self.entity}


NEWSYS_CASE = EntitySpec("newsys", "case", "raw.newsys_case", "case_no", NEWSYS_CASE_COLUMNS)
EGOV_CASE = EntitySpec("egov", "case", "raw.egov_case", "egov_id", EGOV_CASE_COLUMNS, key_type="bigint")
NEWSYS_OFFICIAL = EntitySpec("newsys", "official", "raw.newsys_official", "user_name", OfficialRow._fields)
NEWSYS_PROCEDURE = EntitySpec(
    "newsys", "procedure", "raw.newsys_procedure", "procedure_code", ProcedureRow._fields, version=None
)
NEWSYS_UNIT = EntitySpec("newsys", "unit", "raw.newsys_unit", "unit_code", UnitRow._fields, version=None)
NEWSYS_PETITION = EntitySpec("newsys", "petition", "raw.newsys_petition", "petition_key", PetitionRow._fields)
NEWSYS_RATING = EntitySpec("newsys", "rating", "raw.newsys_rating", "rating_key", RatingRow._fields)
