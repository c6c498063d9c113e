"""The endpoints of both simulated APIs: authentication, parameters, paging, faults and the control API."""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from simulator.events import EventsPruned
from simulator.simtime import at, parse_egov_second, parse_new_second
from simulator.world import BadCursor, World

if TYPE_CHECKING:
    from simulator.server import SimulatorServers

_INT = re.compile(r"-?[0-9]+")
BODY_FAULTS = {"html": "html", "truncated": "truncated", "cut": "cut_bodies", "hang": "hangs"}


@dataclass
class Request:
    """One HTTP request as the routes see it."""

    system: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""

    def key(self) -> tuple[str, ...]:
        """What identifies 'the same request' when it is retried."""
        return (self.system, self.method, self.path, urlencode(sorted(self.query.items())))


@dataclass
class Reply:
    """An HTTP answer (None body: close the connection unanswered); `fault` spoils how it is written."""

    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    injected: bool = False
    fault: str | None = None


class ParamError(ValueError):
    """A query parameter outside its allowed range or format (answer 400)."""


def error(status: int, code: str, message: str, **headers: str) -> Reply:
    """A JSON error answer."""
    return Reply(status, {"error": code, "message": message}, dict(headers))


STAMPED_AHEAD = at(2035, 6, 1)


def int_param(query: dict[str, str], name: str, default: int, low: int, high: int | None) -> int:
    """An integer query parameter within [low, high]."""
    raw = query.get(name)
    if raw is None:
        return default
    if not _INT.fullmatch(raw) or int(raw) < low or (high is not None and int(raw) > high):
        bound = f"{low}..{high}" if high is not None else f">= {low}"
        raise ParamError(f"{name} must be an integer {bound}")
    return int(raw)


def time_param(query: dict[str, str], name: str, parse: Callable[[str], int | None]) -> int | None:
    """An optional timestamp query parameter in the system's format."""
    raw = query.get(name)
    if raw is None:
        return None
    value = parse(raw)
    if value is None:
        raise ParamError(f"{name} is not a valid timestamp")
    return value


def parse_query(text: str) -> dict[str, str]:
    """Query parameters (the last value of a repeated one wins)."""
    return dict(parse_qsl(text, keep_blank_values=True))


def dispatch(sim: SimulatorServers, req: Request) -> Reply:
    """Answer one request: control calls, injected faults, then the system's endpoints."""
    sim.count("requests")
    if req.system == "newsys" and req.path.startswith("/_sim/"):
        return _guard(lambda: control(sim, req))
    key = req.key()
    fault = sim.dice.decide(key, token_endpoint=req.path == "/oauth2/token")
    if fault is not None and fault not in BODY_FAULTS:
        return _injected(sim, req.system, fault)
    route = egov_route if req.system == "egov" else newsys_route
    reply = _guard(lambda: route(sim, req))
    if fault is not None and reply.body is not None:
        sim.count(BODY_FAULTS[fault])
        reply.fault, reply.injected = fault, True
    if not reply.injected:
        sim.dice.served(key)
    return reply


def _guard(call: Callable[[], Reply]) -> Reply:
    """Run a route, turning parameter errors into 400."""
    try:
        return call()
    except ParamError as exc:
        return error(400, "invalid_parameter", str(exc))


def _injected(sim: SimulatorServers, system: str, fault: str) -> Reply:
    """The answer of an injected fault."""
    if fault == "drop":
        sim.count("drops")
        reply = Reply(0, None)
    elif fault == "429":
        sim.count("429")
        wait = str(sim.faults.retry_after)
        if sim.faults.retry_after_date:
            wait = email.utils.formatdate(time.time() + sim.faults.retry_after, usegmt=True)
        reply = error(429, "rate_limited", "Too many requests", **{"Retry-After": wait})
    else:
        sim.count("5xx")
        reply = error(sim.dice.status_5xx(system), "unavailable", "Temporary failure, try again later")
    reply.injected = True
    return reply


def egov_route(sim: SimulatorServers, req: Request) -> Reply:
    """`GET /api/v1/hoso` with an API key, offset paging and the `capNhatTu` filter."""
    if req.path != "/api/v1/hoso":
        return error(404, "not_found", "No such resource")
    if req.method != "GET":
        return error(405, "method_not_allowed", "Use GET", Allow="GET")
    if req.headers.get("x-api-key") != sim.egov_api_key:
        return error(401, "unauthorized", "Missing or wrong X-API-Key")
    page = int_param(req.query, "page", 1, 1, None)
    size = int_param(req.query, "pageSize", 100, 1, 500)
    since = time_param(req.query, "capNhatTu", parse_egov_second)
    with sim.lock:
        if page > 1 and sim.dice.repeat_page():
            sim.count("repeated_pages")
            body, served = sim.world.egov_page(page - 1, size, since)
            body["trang"] = page
        else:
            body, served = sim.world.egov_page(page, size, since)
        sim.maybe_bump("egov", served)
    return Reply(200, body)


_NEWSYS_GET: dict[str, Callable[[SimulatorServers, Request], Reply]] = {}


def newsys_route(sim: SimulatorServers, req: Request) -> Reply:
    """The new system: the token endpoint, then Bearer-protected GET endpoints."""
    if req.path == "/oauth2/token":
        return token_route(sim, req)
    token = _bearer(req.headers.get("authorization", ""))
    if token is None or not sim.tokens.use(token):
        return error(401, "invalid_token", "Missing, unknown or expired access token",
                     **{"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if sim.tokens.seasoned(token) and sim.dice.expire_token(req.key()):
        sim.tokens.revoke(token)
        sim.count("token_expiries")
        reply = error(401, "invalid_token", "The access token expired",
                      **{"WWW-Authenticate": 'Bearer error="invalid_token"'})
        reply.injected = True
        return reply
    handler = _NEWSYS_GET.get(req.path)
    if handler is None:
        return error(404, "not_found", "No such resource")
    if req.method != "GET":
        return error(405, "method_not_allowed", "Use GET", Allow="GET")
    return handler(sim, req)


def _bearer(header: str) -> str | None:
    """The token of an `Authorization: Bearer` header."""
    scheme, _, token = header.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def token_route(sim: SimulatorServers, req: Request) -> Reply:
    """`POST /oauth2/token` with client credentials in a form body."""
    if req.method != "POST":
        return error(405, "method_not_allowed", "Use POST", Allow="POST")
    form = parse_query(req.body.decode("utf-8", errors="replace"))
    if form.get("grant_type") != "client_credentials":
        return error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_id") != sim.client_id or form.get("client_secret") != sim.client_secret:
        return error(401, "invalid_client", "Unknown client or wrong secret")
    token = sim.tokens.issue()
    sim.count("tokens_issued")
    return Reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": sim.tokens.lifetime},
                 {"Cache-Control": "no-store"})


Pager = Callable[[World, int | None, str | None, int], tuple[dict[str, Any], list[int]]]


def _feed_route(sim: SimulatorServers, req: Request, pager: Pager, system: str) -> Reply:
    """An incremental feed: keyset paging by (NgayCapNhat, key) from `updated_since`, changed mid-read."""
    since = time_param(req.query, "updated_since", parse_new_second)
    limit = int_param(req.query, "limit", 500, 1, 1000)
    cursor = req.query.get("cursor") or None
    with sim.lock:
        try:
            body, served = pager(sim.world, since, cursor, limit)
        except BadCursor as exc:
            raise ParamError("cursor was not issued by this server") from exc
        sim.maybe_bump(system, served)
    return Reply(200, _maybe_repeat_cursor(sim, body, cursor))


def cases_route(sim: SimulatorServers, req: Request) -> Reply:
    """`GET /api/v2/cases`: keyset paging by (NgayCapNhat, MaHoSo) from `updated_since`."""
    return _feed_route(sim, req, World.cases_page, "newsys")


def petitions_route(sim: SimulatorServers, req: Request) -> Reply:
    """`GET /api/v2/petitions`: keyset paging by (NgayCapNhat, MaPAKN) from `updated_since`."""
    return _feed_route(sim, req, World.petitions_page, "petitions")


def ratings_route(sim: SimulatorServers, req: Request) -> Reply:
    """`GET /api/v2/ratings`: keyset paging by (NgayCapNhat, MaDanhGia) from `updated_since`."""
    return _feed_route(sim, req, World.ratings_page, "ratings")


def events_route(sim: SimulatorServers, req: Request) -> Reply:
    """`GET /api/v2/events`: events after a sequence number; 410 when they were discarded."""
    after = int_param(req.query, "after", 0, 0, None)
    limit = int_param(req.query, "limit", 500, 1, 1000)
    with sim.lock:
        try:
            events, last = sim.world.events_after(after, limit)
        except EventsPruned:
            oldest = sim.world.events.oldest_seq()
            return Reply(410, {"error": "gone", "message": "Events after this sequence were discarded",
                               "oldest_seq": oldest})
    return Reply(200, {"events": events, "last_seq": last})


def officials_route(sim: SimulatorServers, req: Request) -> Reply:
    """`GET /api/v2/officials`: cursor paging by user name."""
    limit = int_param(req.query, "limit", 500, 1, 1000)
    with sim.lock:
        cursor = req.query.get("cursor") or None
        try:
            body = sim.world.officials_page(cursor, limit)
        except BadCursor as exc:
            raise ParamError("cursor was not issued by this server") from exc
    return Reply(200, _maybe_repeat_cursor(sim, body, cursor))


def _maybe_repeat_cursor(sim: SimulatorServers, body: dict[str, Any], cursor: str | None) -> dict[str, Any]:
    """Now and then, hand back the cursor a page was asked with instead of the next one."""
    if cursor and body.get("next_cursor") and sim.dice.repeat_page():
        sim.count("repeated_pages")
        return dict(body, next_cursor=cursor)
    return body


def procedures_route(sim: SimulatorServers, req: Request) -> Reply:
    """`GET /api/v2/procedures`: the catalogue in one page."""
    with sim.lock:
        return Reply(200, {"items": sim.world.procedures()})


def units_route(sim: SimulatorServers, req: Request) -> Reply:
    """`GET /api/v2/units`: the units and their successors in one page."""
    with sim.lock:
        return Reply(200, {"items": sim.world.units()})


_NEWSYS_GET.update({"/api/v2/cases": cases_route, "/api/v2/petitions": petitions_route,
                    "/api/v2/ratings": ratings_route, "/api/v2/events": events_route,
                    "/api/v2/officials": officials_route, "/api/v2/procedures": procedures_route,
                    "/api/v2/units": units_route})


def control(sim: SimulatorServers, req: Request) -> Reply:
    """The simulator's own control API: apply a batch of changes, re-stamp records unchanged, stamp records
    ahead, expire events, report status."""
    if req.path == "/_sim/changes" and req.method == "POST":
        n = int_param(req.query, "n", 100, 1, 100_000)
        with sim.lock:
            return Reply(200, sim.world.apply_changes(n).as_json())
    if req.path == "/_sim/stamp-ahead" and req.method == "POST":
        n = int_param(req.query, "n", 1, 1, 1000)
        moment = time_param(req.query, "at", parse_new_second) or STAMPED_AHEAD
        with sim.lock:
            return Reply(200, sim.world.stamp_ahead(n, moment))
    if req.path == "/_sim/restamp" and req.method == "POST":
        n = int_param(req.query, "n", 100, 1, 100_000)
        with sim.lock:
            return Reply(200, sim.world.restamp(n))
    if req.path == "/_sim/expire-events" and req.method == "POST":
        before = int_param(req.query, "before", 0, 0, None)
        with sim.lock:
            sim.world.expire_events(before)
            return Reply(200, {"oldest_seq": sim.world.events.oldest_seq()})
    if req.path == "/_sim/status" and req.method == "GET":
        with sim.lock:
            w = sim.world
            return Reply(200, {"clock": w.clock.isoformat(), "last_seq": w.events.last_seq,
                               "oldest_seq": w.events.oldest_seq(), "egov_records": w.egov_count(),
                               "newsys_records": w.new_count(), "petition_records": w.petition_count(),
                               "rating_records": w.rating_count(), "stats": dict(sim.stats)})
    return error(404, "not_found", "No such control endpoint")
