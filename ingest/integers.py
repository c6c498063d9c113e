"""Integer ranges: those of PostgreSQL's integer column types (a binary COPY would wrap a value outside them)
and those of the source fields the contracts type as integers."""

from __future__ import annotations

from typing import NamedTuple


class IntRange(NamedTuple):
    """The integers from `low` to `high`, both included."""

    low: int
    high: int

    def holds(self, value: int) -> bool:
        """True when `value` is within the range."""
        return self.low <= value <= self.high


SMALLINT = IntRange(-(2**15), 2**15 - 1)
INTEGER = IntRange(-(2**31), 2**31 - 1)
BIGINT = IntRange(-(2**63), 2**63 - 1)
COLUMN_RANGES = {21: SMALLINT, 23: INTEGER, 20: BIGINT}
"""The range of each integer column type, by its type OID (int2, int4, int8)."""

EGOV_ID = BIGINT
"""Egov's `id`: any integer `raw.egov_case.egov_id` (bigint) holds; the contract sets no other bound."""
LEGAL_DAYS = IntRange(1, INTEGER.high)
"""`ThoiHanGiaiQuyet`, working days: at least one (zero or less is no processing time) and within the
`integer` column `raw.newsys_procedure.legal_days`."""
