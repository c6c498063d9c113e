"""Reading one source record field by field, collecting every reason it is bad input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.timefmt import BadTimestamp
from ingest.text import clean, label


@dataclass
class Parsed:
    """One source record after validation: its key, version, canonical row or the reasons it is bad."""

    source: str
    entity: str
    key: str
    updated_at: datetime | None
    payload: Any
    row: tuple | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when the record may be loaded."""
        return not self.reasons and self.row is not None


class FieldReader:
    """Typed access to a payload's fields; each failure adds a stable reason code."""

    def __init__(self, payload: dict[str, Any], parse_time: Callable[[str], datetime | None]) -> None:
        self.payload = payload
        self.reasons: list[str] = []
        self._parse_time = parse_time

    def text(self, name: str) -> str:
        """The cleaned text of a field (`""` when absent)."""
        return clean(self.payload.get(name))

    def optional(self, name: str) -> str | None:
        """The cleaned text, None when empty."""
        return self.text(name) or None

    def required(self, name: str) -> str:
        """A field that must not be empty."""
        value = self.text(name)
        if not value:
            self.reasons.append(f"missing:{name}")
        return value

    def code(self, name: str, allowed: frozenset[str], *, required: bool = True) -> str | None:
        """A value from a code list; empty is allowed only when not required."""
        value = self.text(name)
        if value == "" and not required:
            return None
        if value not in allowed:
            self.reasons.append(f"bad_code:{name}")
            return None
        return value

    def label(self, name: str, mapping: dict[str, Any], *, required: bool = True) -> Any:
        """A label looked up case-insensitively in `mapping` (keys already case-folded)."""
        value = label(self.payload.get(name))
        if value == "" and not required:
            return None
        if value not in mapping:
            self.reasons.append(f"bad_code:{name}")
            return None
        return mapping[value]

    def flag(self, name: str) -> bool:
        """A `"0"`/`"1"` flag; empty reads as false, anything else is bad."""
        value = self.text(name)
        if value not in ("", "0", "1"):
            self.reasons.append(f"bad_flag:{name}")
        return value == "1"

    def time(self, name: str, raw: Any = None, *, reason_field: str | None = None) -> datetime | None:
        """A timestamp field (or a nested raw value), None when not set."""
        value = clean(self.payload.get(name) if raw is None else raw)
        try:
            return self._parse_time(value)
        except BadTimestamp:
            self.reasons.append(f"bad_time:{reason_field or name}")
            return None

    def items(self, name: str) -> list[dict[str, Any]]:
        """A list-of-objects field; null or absent reads as empty."""
        value = self.payload.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.reasons.append(f"bad_list:{name}")
            return []
        return value

    def integer(self, name: str) -> int | None:
        """A field the contract types as an integer: a JSON integer (not a boolean, not a string)."""
        value = self.payload.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.reasons.append(f"bad_code:{name}")
        return None
