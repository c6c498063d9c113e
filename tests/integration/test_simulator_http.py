"""Both simulated APIs over real HTTP: authentication, paging to the end, events, parameters and faults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simulator.faults import Faults
from simulator.server import SimulatorServers
from simulator.world import World, generate_world

EGOV_KEY = {"X-API-Key": "demo-egov-key"}
CLIENT = {"grant_type": "client_credentials", "client_id": "egov-sync", "client_secret": "demo-secret"}
RETRIED = {429, 500, 502, 503, 504}


@pytest.fixture
def world() -> World:
    """A fresh small world."""
    return generate_world(1000, 3)


@pytest.fixture
def servers(world: World) -> Iterator[SimulatorServers]:
    """Both simulators on loopback, without faults."""
    with SimulatorServers(world) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """An HTTP client with keep-alive."""
    with httpx.Client(timeout=10) as client:
        yield client


def token(http: httpx.Client, servers: SimulatorServers) -> dict[str, str]:
    """A Bearer header with a fresh token (retrying transient failures)."""
    reply = call(http, "POST", servers.newsys_url + "/oauth2/token", data=CLIENT)
    return {"Authorization": "Bearer " + reply.json()["access_token"]}


def call(http: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request retried up to 6 times on 429, 5xx and dropped connections."""
    for _ in range(6):
        try:
            reply = http.request(method, url, **kwargs)
        except httpx.TransportError:
            continue
        if reply.status_code not in RETRIED:
            return reply
    raise AssertionError(f"{method} {url} did not get through in 6 attempts")


def newsys_get(
    http: httpx.Client, servers: SimulatorServers, auth: dict[str, str], path: str, params: dict[str, Any]
) -> httpx.Response:
    """A new-system GET; on 401 a new token is fetched once and the call repeated."""
    reply = call(http, "GET", servers.newsys_url + path, params=params, headers=auth)
    if reply.status_code == 401:
        auth.update(token(http, servers))
        reply = call(http, "GET", servers.newsys_url + path, params=params, headers=auth)
    assert reply.status_code == 200, reply.text
    return reply


def all_egov(http: httpx.Client, servers: SimulatorServers, **params: Any) -> list[dict[str, Any]]:
    """Every Egov record, page by page until an empty page."""
    out, page = [], 1
    while True:
        reply = call(
            http,
            "GET",
            servers.egov_url + "/api/v1/hoso",
            headers=EGOV_KEY,
            params={"page": page, "pageSize": 150, **params} | {"page": page},
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["trang"] == page and body["soBanGhi"] == len(body["duLieu"])
        if not body["duLieu"]:
            return out
        out += body["duLieu"]
        page += 1


def all_cases(
    http: httpx.Client, servers: SimulatorServers, path: str = "/api/v2/cases", **params: Any
) -> list[dict[str, Any]]:
    """Every record of a new-system feed (cases by default), following cursors until `next_cursor` is null."""
    auth, out, cursor = token(http, servers), [], None
    while True:
        query = {"limit": 170, **params, **({"cursor": cursor} if cursor else {})}
        body = newsys_get(http, servers, auth, path, query).json()
        out += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return out


def latest(items: list[dict[str, Any]], key: str, stamp: str) -> dict[str, Any]:
    """The version with the greatest update time per key (the later delivery wins ties)."""
    kept: dict[str, dict[str, Any]] = {}
    for item in items:
        k = str(item.get(key))
        if k not in kept or item[stamp] >= kept[k][stamp]:
            kept[k] = item
    return kept


def test_egov_requires_its_api_key(servers: SimulatorServers, http: httpx.Client) -> None:
    url = servers.egov_url + "/api/v1/hoso"
    assert http.get(url).status_code == 401
    assert http.get(url, headers={"X-API-Key": "wrong"}).status_code == 401
    assert http.get(url, headers=EGOV_KEY).status_code == 200


def test_newsys_oauth_client_credentials(servers: SimulatorServers, http: httpx.Client) -> None:
    url = servers.newsys_url
    assert http.post(url + "/oauth2/token", data={**CLIENT, "client_secret": "nope"}).status_code == 401
    assert http.post(url + "/oauth2/token", data={**CLIENT, "grant_type": "password"}).status_code == 400
    granted = http.post(url + "/oauth2/token", data=CLIENT).json()
    assert granted["token_type"] == "Bearer" and granted["expires_in"] == 300 and granted["access_token"]
    assert http.get(url + "/api/v2/units").status_code == 401
    assert http.get(url + "/api/v2/units", headers={"Authorization": "Bearer forged"}).status_code == 401
    auth = {"Authorization": "Bearer " + granted["access_token"]}
    assert http.get(url + "/api/v2/units", headers=auth).status_code == 200


def test_egov_pages_to_the_end(world: World, servers: SimulatorServers, http: httpx.Client) -> None:
    records = all_egov(http, servers)
    assert records == world.egov_records()
    since = "01/01/2025 00:00:00"
    recent = all_egov(http, servers, capNhatTu=since)
    assert 0 < len(recent) < len(records)
    first = http.get(servers.egov_url + "/api/v1/hoso", headers=EGOV_KEY, params={"capNhatTu": since}).json()
    assert first["tongSo"] == len(recent)
    stamp = recent[0]["ngayCapNhat"]
    exact = all_egov(http, servers, capNhatTu=stamp)
    assert recent[0] in exact


def test_newsys_pages_to_the_end(world: World, servers: SimulatorServers, http: httpx.Client) -> None:
    items = all_cases(http, servers)
    assert items == world.newsys_records()
    stamp = items[len(items) // 2]["NgayCapNhat"]
    tail = all_cases(http, servers, updated_since=stamp)
    assert tail and all(r["NgayCapNhat"] >= stamp for r in tail)
    assert tail == [r for r in items if r["NgayCapNhat"] >= stamp]
    auth, officials, cursor = token(http, servers), [], None
    while True:
        query = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        body = newsys_get(http, servers, auth, "/api/v2/officials", query).json()
        officials += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert officials == world.officials()
    assert newsys_get(http, servers, auth, "/api/v2/procedures", {}).json() == {"items": world.procedures()}
    assert newsys_get(http, servers, auth, "/api/v2/units", {}).json() == {"items": world.units()}


def test_out_of_range_parameters_answer_400(servers: SimulatorServers, http: httpx.Client) -> None:
    egov = servers.egov_url + "/api/v1/hoso"
    for params in (
        {"page": 0},
        {"pageSize": 0},
        {"pageSize": 501},
        {"page": "x"},
        {"capNhatTu": "2025-01-01"},
        {"capNhatTu": "31/02/2025 00:00:00"},
    ):
        assert http.get(egov, headers=EGOV_KEY, params=params).status_code == 400, params
    auth = token(http, servers)
    for path, params in (
        ("/api/v2/cases", {"limit": 0}),
        ("/api/v2/cases", {"limit": 1001}),
        ("/api/v2/cases", {"cursor": "not-a-cursor"}),
        ("/api/v2/cases", {"updated_since": "2025-01-01"}),
        ("/api/v2/events", {"after": -1}),
        ("/api/v2/events", {"limit": 1001}),
        ("/api/v2/officials", {"limit": 0}),
    ):
        reply = http.get(servers.newsys_url + path, headers=auth, params=params)
        assert reply.status_code == 400, (path, params)


def test_events_gone_empty_and_after_changes(
    world: World, servers: SimulatorServers, http: httpx.Client
) -> None:
    auth, url = token(http, servers), servers.newsys_url + "/api/v2/events"
    assert http.get(url, headers=auth, params={"after": 0}).status_code == 410
    status = http.get(servers.newsys_url + "/_sim/status").json()
    last = status["last_seq"]
    assert http.get(url, headers=auth, params={"after": last}).json() == {"events": [], "last_seq": last}
    kept = http.get(url, headers=auth, params={"after": status["oldest_seq"] - 1, "limit": 1000}).json()
    assert kept["events"] and kept["last_seq"] == last
    summary = http.post(servers.newsys_url + "/_sim/changes", params={"n": 40}).json()
    assert summary["newsys_keys"] and summary["clock"] == "2026-11-01T01:00:00+07:00"
    fresh = http.get(url, headers=auth, params={"after": last, "limit": 1000}).json()
    assert {e["key"] for e in fresh["events"] if e["type"].startswith("hoso.")} == set(summary["newsys_keys"])
    with servers.lock:
        world.expire_events(fresh["last_seq"])
    assert http.get(url, headers=auth, params={"after": last}).status_code == 410


def test_injected_faults(servers: SimulatorServers, http: httpx.Client) -> None:
    egov = servers.egov_url + "/api/v1/hoso"
    servers.faults = Faults(rate_429=1.0, retry_after=2)
    limited = http.get(egov, headers=EGOV_KEY)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert [http.get(egov, headers=EGOV_KEY).status_code for _ in range(3)] == [429, 429, 200]
    servers.faults = Faults(rate_5xx=1.0)
    assert http.get(egov, headers=EGOV_KEY).status_code in (500, 502, 503)
    auth = token(http, servers)
    assert http.get(servers.newsys_url + "/api/v2/units", headers=auth).status_code in (502, 503, 504)
    servers.faults = Faults(rate_drop=1.0)
    with pytest.raises(httpx.TransportError):
        http.get(egov, headers=EGOV_KEY)
    servers.faults = Faults(rate_token_expiry=1.0)
    auth = token(http, servers)
    units = servers.newsys_url + "/api/v2/units"
    assert http.get(units, headers=auth).status_code == 200
    assert http.get(units, headers=auth).status_code == 401
    assert http.get(units, headers=auth).status_code == 401
    assert http.get(units, headers=token(http, servers)).status_code == 200
    assert servers.stats["429"] >= 3 and servers.stats["5xx"] >= 2 and servers.stats["drops"] >= 1
    assert servers.stats["token_expiries"] >= 1


def test_heavy_faults_still_deliver_everything(
    world: World, servers: SimulatorServers, http: httpx.Client
) -> None:
    servers.faults = Faults.heavy()
    egov = all_egov(http, servers, pageSize=15)
    cases = all_cases(http, servers, limit=12)
    with servers.lock:
        assert latest(egov, "id", "id").keys() == latest(world.egov_records(), "id", "id").keys()
        current = {r.get("MaHoSo"): r for r in world.newsys_records()}
    got = latest(cases, "MaHoSo", "NgayCapNhat")
    assert set(got) == {str(k) for k in current}
    assert all(got[str(k)] == r for k, r in current.items())
    stats = servers.stats
    assert stats["429"] and stats["5xx"] and stats["drops"] and stats["token_expiries"], stats
    assert stats["concurrent_updates"] > 0, stats


FEEDS = (
    ("/api/v2/petitions", "MaPAKN", World.petition_records),
    ("/api/v2/ratings", "MaDanhGia", World.rating_records),
)


@pytest.mark.parametrize(("path", "key", "records"), FEEDS, ids=["petitions", "ratings"])
def test_petitions_and_ratings_page_to_the_end(
    world: World, servers: SimulatorServers, http: httpx.Client, path: str, key: str, records: Any
) -> None:
    assert http.get(servers.newsys_url + path).status_code == 401
    items = all_cases(http, servers, path, limit=37)
    assert items == records(world)
    assert len(items) > 37
    stamp = next(r["NgayCapNhat"] for r in items[len(items) // 2 :] if r["NgayCapNhat"].isdigit())
    tail = all_cases(http, servers, path, updated_since=stamp, limit=1000)
    assert tail and tail == items[next(k for k, r in enumerate(items) if r["NgayCapNhat"] == stamp) :]
    for params in (
        {"limit": 0},
        {"limit": 1001},
        {"cursor": "not-a-cursor"},
        {"updated_since": "2025-01-01"},
    ):
        reply = http.get(servers.newsys_url + path, headers=token(http, servers), params=params)
        assert reply.status_code == 400, params


def test_events_carry_petition_and_rating_changes(
    world: World, servers: SimulatorServers, http: httpx.Client
) -> None:
    auth, url = token(http, servers), servers.newsys_url + "/api/v2/events"
    last = http.get(servers.newsys_url + "/_sim/status").json()["last_seq"]
    summary = http.post(servers.newsys_url + "/_sim/changes", params={"n": 60}).json()
    assert summary["petition_keys"] and summary["rating_keys"]
    events = http.get(url, headers=auth, params={"after": last, "limit": 1000}).json()["events"]
    assert {e["key"] for e in events if e["type"].startswith("pakn.")} == set(summary["petition_keys"])
    assert {e["key"] for e in events if e["type"].startswith("danhgia.")} == set(summary["rating_keys"])
    status = http.get(servers.newsys_url + "/_sim/status").json()
    assert (
        status["petition_records"] == world.petition_count()
        and status["rating_records"] == world.rating_count()
    )


def test_heavy_faults_still_deliver_every_petition_and_rating(
    world: World, servers: SimulatorServers, http: httpx.Client
) -> None:
    servers.faults = Faults.heavy()
    petitions = all_cases(http, servers, "/api/v2/petitions", limit=9)
    ratings = all_cases(http, servers, "/api/v2/ratings", limit=40)
    servers.faults.rate_concurrent_update = 0.0
    for got, path in ((petitions, "/api/v2/petitions"), (ratings, "/api/v2/ratings")):
        watermark = max(r["NgayCapNhat"] for r in got if r["NgayCapNhat"].isdigit())
        got += all_cases(http, servers, path, updated_since=watermark, limit=1000)
    with servers.lock:
        current = {"MaPAKN": world.petition_records(), "MaDanhGia": world.rating_records()}
    for got, key in ((petitions, "MaPAKN"), (ratings, "MaDanhGia")):
        expected = {str(r.get(key)): r for r in current[key]}
        assert latest(got, key, "NgayCapNhat") == expected
    stats = servers.stats
    assert stats["429"] and stats["5xx"] and stats["drops"] and stats["token_expiries"], stats
    assert stats["concurrent_updates"] > 0, stats
