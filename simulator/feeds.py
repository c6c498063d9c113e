"""Incremental feeds: records kept in (update time, key) order and served in pages with opaque cursors."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from sortedcontainers import SortedList

from simulator.records import ABSENT

Entry = tuple[int, str, int]


class BadCursor(ValueError):
    """A cursor that this server did not issue."""


def encode_cursor(entry: tuple[Any, ...]) -> str:
    """An opaque cursor for a feed position."""
    return base64.urlsafe_b64encode(json.dumps(list(entry), ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: tuple[type, ...]) -> tuple[Any, ...]:
    """The feed position of a cursor; BadCursor when it was not issued here."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(values, list) or len(values) != len(kinds):
        raise BadCursor(cursor)
    if not all(isinstance(v, k) and not isinstance(v, bool) for v, k in zip(values, kinds, strict=True)):
        raise BadCursor(cursor)
    return tuple(values)


def served_key(raw: dict[str, Any] | None, field: str, key: str) -> str:
    """The key a record is served under: its own, or what a raw override puts there ('' when unusable)."""
    if raw and field in raw:
        value = raw[field]
        return "" if value is ABSENT or not isinstance(value, str) else value
    return key


class Feed:
    """Positions of records (by index) ordered by (update time, served key), paged from `updated_since`."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        """A feed of (update time, served key, index) entries."""
        self._entries = SortedList(entries)

    def __len__(self) -> int:
        """How many records the feed serves."""
        return len(self._entries)

    def indexes(self) -> list[int]:
        """Every record's index, in feed order."""
        return [i for _, _, i in self._entries]

    def move(self, old: Entry, new: Entry) -> None:
        """A record changed: take it from its old position to its new one."""
        self._entries.remove(old)
        self._entries.add(new)

    def add(self, entry: Entry) -> None:
        """A new record."""
        self._entries.add(entry)

    def page(self, since: int | None, cursor: str | None, limit: int) -> tuple[list[int], str | None]:
        """The indexes of one page and the next cursor (None at the end); BadCursor for a foreign cursor."""
        if cursor is not None:
            start = self._entries.bisect_right(decode_cursor(cursor, (int, str, int)))
        elif since is not None:
            start = self._entries.bisect_left((since, "", -1))
        else:
            start = 0
        entries = list(self._entries.islice(start, start + limit))
        more = start + limit < len(self._entries)
        return [i for _, _, i in entries], encode_cursor(entries[-1]) if entries and more else None
