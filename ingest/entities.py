"""What is landed for each source entity: its raw table's COPY columns and its SQL file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from resources.sql_files import sql_text


@dataclass(frozen=True)
class EntitySpec:
    """One landed entity: source, name, SQL file, and whether records carry an update time."""

    source: str
    entity: str
    sql_file: str
    versioned: bool

    @property
    def columns(self) -> tuple[str, ...]:
        """The COPY column list, read from the entity's `copy_valid` statement."""
        statement = sql_text(self.sql_file, "copy_valid")
        inside = re.search(r"\((?P<cols>[^)]*)\)", statement)
        if inside is None:
            raise ValueError(f"{self.sql_file}: copy_valid has no column list")
        return tuple(name.strip() for name in inside.group("cols").split(","))


NEWSYS_CASE = EntitySpec("newsys", "case", "queries/land_newsys_case.sql", versioned=True)
EGOV_CASE = EntitySpec("egov", "case", "queries/land_egov_case.sql", versioned=True)
NEWSYS_OFFICIAL = EntitySpec("newsys", "official", "queries/land_newsys_official.sql", versioned=True)
NEWSYS_PROCEDURE = EntitySpec("newsys", "procedure", "queries/land_newsys_procedure.sql", versioned=False)
NEWSYS_UNIT = EntitySpec("newsys", "unit", "queries/land_newsys_unit.sql", versioned=False)
