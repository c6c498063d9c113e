"""One paging loop for both sources: a validator per endpoint, a paginator per API, the retry policy.

A validator checks a decoded 2xx body and returns it, or raises InvalidAnswer (retried like a 5xx);
a paginator says which page to ask for next and notices a page that does not advance.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import orjson

from resources.http_retry import FetchStats, InvalidAnswer, OversizedAnswer, SourceError, Target

Validator = Callable[[Any, dict[str, Any]], Any]
GetPage = Callable[[dict[str, Any], Target, Validator], Any]
SHOWN_CURSOR_CHARS = 40


class PageStuck(Exception):
    """The source answered a page that does not move the read forward."""


class Paginator(Protocol):
    """Where the read stands and what to ask for next."""

    validate: Validator
    records_field: str

    def params(self) -> dict[str, Any]:
        """Query parameters of the next page."""

    def position(self) -> str:
        """The next page as an error names it (`page 3`, `cursor …`)."""

    def advance(self, body: Any, records: list[Any]) -> bool:
        """Move past a valid page; False at the end; PageStuck when the page does not advance."""


def _object_with(body: Any, name: str, kind: type) -> Any:
    """`body[name]` when body is an object and that field has the type `kind`; InvalidAnswer otherwise."""
    if not isinstance(body, dict):
        raise InvalidAnswer(f"the answer is a JSON {type(body).__name__}, not an object")
    value = body.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidAnswer(f"the answer has no `{name}` {kind.__name__}")
    return value


def at_most_asked(records: list[Any], params: dict[str, Any], name: str) -> list[Any]:
    """The records of a page, unless it holds more than the `name` parameter asked for (OversizedAnswer)."""
    asked = params.get(name)
    if isinstance(asked, int) and len(records) > asked:
        raise OversizedAnswer(f"the page holds {len(records)} records, more than the {name} {asked} asked")
    return records


def egov_page(body: Any, params: dict[str, Any]) -> Any:
    """An Egov page: a `duLieu` list of at most `pageSize` records, an integer `tongSo`, `trang` as asked,
    `soBanGhi` its length."""
    records = at_most_asked(_object_with(body, "duLieu", list), params, "pageSize")
    if _object_with(body, "tongSo", int) < 0:
        raise InvalidAnswer("the answer has a negative `tongSo`")
    if body.get("trang") != params["page"]:
        raise InvalidAnswer(f"the answer is page {body.get('trang')!r}, not page {params['page']}")
    if body.get("soBanGhi") != len(records):
        raise InvalidAnswer(f"`soBanGhi` {body.get('soBanGhi')!r} but {len(records)} records")
    return body


def cursor_page(body: Any, params: dict[str, Any]) -> Any:
    """A new-system feed page: an `items` list of at most `limit` records and `next_cursor`, a string or
    null."""
    at_most_asked(_object_with(body, "items", list), params, "limit")
    if "next_cursor" not in body or not isinstance(body["next_cursor"], str | None):
        raise InvalidAnswer("the answer has no `next_cursor` (a string or null)")
    return body


def item_list(body: Any, params: dict[str, Any]) -> Any:
    """A one-page list resource: `items` list."""
    _object_with(body, "items", list)
    return body


def short(cursor: str) -> str:
    """A cursor as errors show it (opaque and possibly long: its first characters)."""
    return cursor if len(cursor) <= SHOWN_CURSOR_CHARS else cursor[:SHOWN_CURSOR_CHARS] + "…"


def _page_bytes(records: list[Any]) -> bytes:
    """The records of a page as canonical bytes, to recognise a repeated page (orjson, else `json`)."""
    try:
        return orjson.dumps(records, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(records, sort_keys=True).encode("utf-8", "surrogatepass")


@dataclass
class OffsetPaginator:
    """Egov's `page`/`pageSize` paging, ending on an empty page, stuck on a repeat or past `tongSo`."""

    page_size: int
    page: int = 1
    validate: Validator = egov_page
    records_field: str = "duLieu"
    _previous: str | None = None

    def params(self) -> dict[str, Any]:
        """The page number and size."""
        return {"page": self.page, "pageSize": self.page_size}

    def position(self) -> str:
        """`page N`."""
        return f"page {self.page}"

    def advance(self, body: Any, records: list[Any]) -> bool:
        """The next page number, unless this page was empty, past the total or the same as the last."""
        if not records:
            return False
        offset = (self.page - 1) * self.page_size
        if offset >= body["tongSo"]:
            raise PageStuck(
                f"page {self.page} starts at offset {offset}, past tongSo {body['tongSo']}, "
                f"yet holds {len(records)} records"
            )
        digest = hashlib.sha256(_page_bytes(records)).hexdigest()
        if digest == self._previous:
            raise PageStuck(f"page {self.page} holds the same records as page {self.page - 1}")
        self._previous = digest
        self.page += 1
        return True


@dataclass
class CursorPaginator:
    """The new system's `next_cursor` paging: ends on null; a cursor already followed is stuck."""

    cursor: str | None = None
    validate: Validator = cursor_page
    records_field: str = "items"
    _followed: set[str] = field(default_factory=set)

    def params(self) -> dict[str, Any]:
        """The cursor, after the first page."""
        return {"cursor": self.cursor} if self.cursor else {}

    def position(self) -> str:
        """`first page` or `cursor …`."""
        return f"cursor {short(self.cursor)}" if self.cursor else "first page"

    def advance(self, body: Any, records: list[Any]) -> bool:
        """Follow `next_cursor`, unless it is null or was followed before."""
        cursor = body["next_cursor"]
        if not cursor:
            return False
        if cursor in self._followed or cursor == self.cursor:
            raise PageStuck(f"next_cursor {short(cursor)} was already followed")
        self._followed.add(cursor)
        self.cursor = cursor
        return True


def iter_pages(
    get_page: GetPage,
    base: Target,
    params: dict[str, Any],
    paginator: Paginator,
    stats: FetchStats,
) -> Iterator[list[Any]]:
    """Ask for page after page until the paginator says the end; yields each non-empty page's records."""
    while True:
        target = replace(base, position=paginator.position())
        body = get_page(params | paginator.params(), target, paginator.validate)
        records = body[paginator.records_field]
        stats.pages += 1
        try:
            more = paginator.advance(body, records)
        except PageStuck as error:
            raise SourceError(target, "PageNotAdvancing", str(error)) from error
        if records:
            yield records
        if not more:
            return
