"""Ground-truth field reader: extracts clean values from one payload and collects bad-input reasons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tests.oracle.source_text import BadTime, as_text

TimeParser = Callable[[str], datetime | None]


class OracleFieldReader:
    """Reads the fields of one source payload, recording a reason code for every bad value met."""

    def __init__(self, payload: Any, parse_time: TimeParser) -> None:
        """Wrap a payload (anything JSON; a non-object reads as an empty record)."""
        self.payload: dict[str, Any] = payload if isinstance(payload, dict) else {}
        self.parse_time = parse_time
        self.reasons: set[str] = set()

    def text(self, field: str) -> str:
        """The clean text of a field ('' when absent, null or blank)."""
        return as_text(self.payload.get(field))

    def optional(self, field: str) -> str | None:
        """The clean text of a field, None when empty."""
        return self.text(field) or None

    def required(self, field: str) -> str:
        """The clean text of a field that must not be empty (`missing:<Field>` otherwise)."""
        value = self.text(field)
        if not value:
            self.reasons.add(f"missing:{field}")
        return value

    def code(self, field: str, allowed: frozenset[str]) -> str:
        """The clean text of a coded field (`bad_code:<Field>` when outside `allowed`)."""
        value = self.text(field)
        if value not in allowed:
            self.reasons.add(f"bad_code:{field}")
        return value

    def flag(self, field: str) -> bool:
        """A '0'/'1' flag as a boolean (`bad_flag:<Field>` for anything but '0', '1' or empty)."""
        return read_flag(self.text(field), field, self.reasons)

    def time(self, field: str) -> datetime | None:
        """A timestamp field (`bad_time:<Field>` when unparseable; None then and when empty)."""
        return read_time(self.text(field), field, self.parse_time, self.reasons)

    def items(
        self, field: str, times: tuple[str, ...] = (), flags: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        """A list-of-objects field, its nested times and flags checked (`bad_list:<Field>` when malformed)."""
        value = self.payload.get(field)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.reasons.add(f"bad_list:{field}")
            return []
        for item in value:
            for name in times:
                read_time(as_text(item.get(name)), f"{field}.{name}", self.parse_time, self.reasons)
            for name in flags:
                read_flag(as_text(item.get(name)), f"{field}.{name}", self.reasons)
        return value


def read_flag(value: str, field: str, reasons: set[str]) -> bool:
    """A flag text as a boolean, adding `bad_flag:<field>` to reasons when it is not '0', '1' or ''."""
    if value not in ("", "0", "1"):
        reasons.add(f"bad_flag:{field}")
    return value == "1"


def read_time(value: str, field: str, parse_time: TimeParser, reasons: set[str]) -> datetime | None:
    """A timestamp text parsed, adding `bad_time:<field>` to reasons when it does not parse."""
    try:
        return parse_time(value)
    except BadTime:
        reasons.add(f"bad_time:{field}")
        return None
