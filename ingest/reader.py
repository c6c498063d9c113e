"""Reading one source record field by field, collecting every reason it is bad input."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from core.timefmt import BadTimestamp
from ingest.integers import IntRange
from ingest.text import MAX_DEPTH, clean, cut_deep, label, payload_key

MAX_FIELD_CHARS = 65_536
MAX_KEY_CHARS = 200
SURROGATE = re.compile("[\ud800-\udfff]")
NUL_ESCAPE = "\\u0000"


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
    text: str | None = None

    @property
    def valid(self) -> bool:
        """True when the record may be loaded."""
        return not self.reasons and self.row is not None


def storable_text(payload: Any) -> tuple[str, list[str]]:
    """The payload as JSON text PostgreSQL can store, and the reasons it had to be changed or is too big.

    NUL characters and bytes that were not UTF-8 become U+FFFD (`nul_character`, `invalid_utf8`); containers
    nested deeper than MAX_DEPTH are cut (`too_deep`); NaN and infinities become null
    (`not_finite_number`); a string longer than MAX_FIELD_CHARS is kept but
    makes the record bad (`too_long:<top-level field>`).
    """
    fast = _plain_text(payload)
    if fast is not None:
        return fast
    try:
        text = json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except RecursionError:
        text = json.dumps(cut_deep(payload), ensure_ascii=False)
        return _replace_unstorable(text, ["too_deep"])
    except ValueError:
        text = json.dumps(cut_deep(payload, depth=10**9), ensure_ascii=False)
        return _replace_unstorable(text, ["not_finite_number"])
    reasons: list[str] = []
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(payload) > MAX_DEPTH:
        reasons.append("too_deep")
        text = json.dumps(cut_deep(payload), ensure_ascii=False)
    if len(text) > MAX_FIELD_CHARS:
        reasons.extend(_long_fields(payload))
    return _replace_unstorable(text, reasons)


def _plain_text(payload: Any) -> tuple[str, list[str]] | None:
    """The storable text of a payload orjson writes exactly, with its reasons; None when it cannot.

    orjson refuses lone surrogates, integers beyond 64 bits and very deep nesting, but writes NaN and
    infinities as null: a text holding `null` is left to the `json` path, which tells them apart.
    """
    try:
        encoded = orjson.dumps(payload)
    except orjson.JSONEncodeError:
        return None
    if b"null" in encoded:
        return None
    text = encoded.decode()
    reasons: list[str] = []
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(payload) > MAX_DEPTH:
        return None
    if 2 * len(text) > MAX_FIELD_CHARS:
        reasons.extend(_long_fields(payload))
    if NUL_ESCAPE in text:
        reasons.append("nul_character")
        text = text.replace(NUL_ESCAPE, "\\ufffd")
    return text, reasons


def _replace_unstorable(text: str, reasons: list[str]) -> tuple[str, list[str]]:
    """Replace NUL escapes and lone surrogates by U+FFFD, adding their reasons."""
    if NUL_ESCAPE in text:
        reasons.append("nul_character")
        text = text.replace(NUL_ESCAPE, "\\ufffd")
    if SURROGATE.search(text):
        reasons.append("invalid_utf8")
        text = SURROGATE.sub("\ufffd", text)
    return text, reasons


def _depth(payload: Any) -> int:
    """How deeply containers nest in a payload (no recursion)."""
    deepest, stack = 0, [(payload, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            items = value.values() if isinstance(value, dict) else value
            if level <= MAX_DEPTH:
                stack.extend((item, level + 1) for item in items)
    return deepest


def _long_fields(payload: Any) -> list[str]:
    """`too_long:<field>` for each top-level field holding a string longer than MAX_FIELD_CHARS."""
    if not isinstance(payload, dict):
        return []
    return [
        f"too_long:{SURROGATE.sub('?', name.replace(chr(0), '?'))[:MAX_KEY_CHARS]}"
        for name, value in payload.items()
        if len(json.dumps(value, ensure_ascii=False)) > MAX_FIELD_CHARS
    ]


def screened(parsed: Parsed) -> Parsed:
    """The parsed record with its storable text and the reasons screening found (duplicates dropped)."""
    parsed.text, reasons = storable_text(parsed.payload)
    parsed.reasons[:] = list(dict.fromkeys([*parsed.reasons, *reasons]))
    return parsed


def not_an_object(source: str, entity: str, payload: Any) -> Parsed:
    """A record that is not a JSON object: keyed by its hash, bad as `not_an_object`."""
    return screened(Parsed(source, entity, payload_key(payload), None, payload, reasons=["not_an_object"]))


class FieldReader:
    """Typed access to a payload's fields; each failure adds a stable reason code."""

    def __init__(self, payload: dict[str, Any], parse_time: Callable[[str], datetime | None]) -> None:
        self.payload = payload
        self.reasons: list[str] = []
        self._parse_time = parse_time

    def _string(self, name: str, value: Any) -> str:
        """A JSON string or null as text (`clean`, inlined for plain strings); any other JSON type is
        `bad_type:<name>` (read as empty)."""
        if type(value) is str:
            return value.strip() if value.isascii() else unicodedata.normalize("NFC", value).strip()
        if value is None or isinstance(value, str):
            return clean(value)
        self.reasons.append(f"bad_type:{name}")
        return ""

    def text(self, name: str) -> str:
        """The cleaned text of a field (`""` when absent)."""
        value = self.payload.get(name)
        if type(value) is str and value.isascii():
            return value.strip()
        return self._string(name, value)

    def _has_bad_type(self, name: str) -> bool:
        """True when the field already has its `bad_type` reason."""
        return bool(self.reasons) and f"bad_type:{name}" in self.reasons

    def key(self, name: str) -> str:
        """A record's key field: required, at most MAX_KEY_CHARS, only characters PostgreSQL can store."""
        value = self.text(name)
        if len(value) > MAX_KEY_CHARS:
            self.reasons.append(f"too_long:{name}")
            return ""
        if "\x00" in value or SURROGATE.search(value):
            return ""
        if not value and not self._has_bad_type(name):
            self.reasons.append(f"missing:{name}")
        return value

    def optional(self, name: str) -> str | None:
        """The cleaned text, None when empty."""
        return self.text(name) or None

    def required(self, name: str) -> str:
        """A field that must not be empty."""
        value = self.text(name)
        if not value and not self._has_bad_type(name):
            self.reasons.append(f"missing:{name}")
        return value

    def code(self, name: str, allowed: frozenset[str], *, required: bool = True) -> str | None:
        """A value from a code list; empty is allowed only when not required."""
        value = self.text(name)
        if (value == "" and not required) or self._has_bad_type(name):
            return None
        if value not in allowed:
            self.reasons.append(f"bad_code:{name}")
            return None
        return value

    def label(self, name: str, mapping: dict[str, Any], *, required: bool = True) -> Any:
        """A label looked up case-insensitively in `mapping` (keys already case-folded)."""
        value = label(self.text(name))
        if (value == "" and not required) or self._has_bad_type(name):
            return None
        if value not in mapping:
            self.reasons.append(f"bad_code:{name}")
            return None
        return mapping[value]

    def flag(self, name: str) -> bool:
        """A `"0"`/`"1"` flag; empty reads as false, anything else is bad."""
        value = self.text(name)
        if value not in ("", "0", "1") and not self._has_bad_type(name):
            self.reasons.append(f"bad_flag:{name}")
        return value == "1"

    def free_text(self, name: str) -> str | None:
        """A free-text field the contract does not validate (sender, title, comment): its cleaned text, None
        when empty or not a JSON string (then kept only in the payload); never a reason."""
        value = self.payload.get(name)
        return (clean(value) or None) if isinstance(value, str) else None

    def time(self, name: str, raw: Any = None, *, reason_field: str | None = None) -> datetime | None:
        """A timestamp field (or a nested raw value), None when not set."""
        value = self.payload.get(name) if raw is None else raw
        if type(value) is str and value.isascii():
            try:
                return self._parse_time(value.strip())
            except BadTimestamp:
                self.reasons.append(f"bad_time:{reason_field or name}")
                return None
        value = self._string(reason_field or name, value)
        return self._timestamp(reason_field or name, value)

    def _timestamp(self, name: str, value: str) -> datetime | None:
        """A timestamp text read as `name`, None when empty (`bad_time:<name>` when it does not parse)."""
        try:
            return self._parse_time(value)
        except BadTimestamp:
            self.reasons.append(f"bad_time:{name}")
            return None

    def item_text(self, item: dict[str, Any], list_name: str, name: str) -> str:
        """The cleaned text of a field of a list entry; its reasons name it `<List>.<Field>`."""
        return self._string(f"{list_name}.{name}", item.get(name))

    def item_time(self, item: dict[str, Any], list_name: str, name: str) -> datetime | None:
        """A timestamp field of a list entry, None when not set."""
        return self._timestamp(f"{list_name}.{name}", self.item_text(item, list_name, name))

    def item_code(
        self,
        item: dict[str, Any],
        list_name: str,
        name: str,
        allowed: frozenset[str],
        *,
        required: bool = True,
    ) -> str | None:
        """A coded field of a list entry (`bad_code:<List>.<Field>`, unless that field already has a
        `bad_type` reason in some entry)."""
        field_name = f"{list_name}.{name}"
        value = self.item_text(item, list_name, name)
        if (value == "" and not required) or f"bad_type:{field_name}" in self.reasons:
            return None
        if value not in allowed:
            self.reasons.append(f"bad_code:{field_name}")
            return None
        return value

    def items(self, name: str) -> list[dict[str, Any]]:
        """A list-of-objects field; null or absent reads as empty."""
        value = self.payload.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.reasons.append(f"bad_list:{name}")
            return []
        return value

    def count(self, name: str, allowed: IntRange) -> int:
        """A count the contract types as a JSON integer (likes, dislikes): absent or null reads as 0; a
        string, a boolean, a number written with a fraction or exponent (decoded as a float) or a value
        outside `allowed` is `bad_count:<name>` (read as 0)."""
        value = self.payload.get(name)
        if value is None:
            return 0
        if type(value) is int and allowed.holds(value):
            return value
        self.reasons.append(f"bad_count:{name}")
        return 0

    def integer(self, name: str, allowed: IntRange) -> int | None:
        """A field the contract types as an integer: a JSON integer (not a boolean, not a string,
        `bad_code:<name>`) within `allowed` (`out_of_range:<name>`)."""
        value = self.payload.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            self.reasons.append(f"bad_code:{name}")
            return None
        if not allowed.holds(value):
            self.reasons.append(f"out_of_range:{name}")
            return None
        return value
