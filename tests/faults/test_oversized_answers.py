"""Answers too large to hold, over real HTTP through the real clients: a gzip bomb, a body longer than the
limit, a page longer than asked for. Each fails the read at once with an error naming the request; none
inflates the run's memory past the limit."""

from __future__ import annotations

import json
import threading
import tracemalloc
import zlib
from collections.abc import Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from resources.egov_client import EgovClient
from resources.http_retry import FetchStats, SourceError
from resources.newsys_client import NewsysClient

pytestmark = pytest.mark.integration
BOMB_MIB = 128
LONG_BODY_MIB = 96
PAGES: dict[str, tuple[dict[str, Any], str]] = {
    "/api/v1/hoso": ({"tongSo": 0, "trang": 1, "soBanGhi": 0}, "duLieu"),
    "/api/v2/events": ({"last_seq": 0}, "events"),
}


@cache
def gzip_bomb(decoded_mib: int, tail: str) -> bytes:
    """A gzip body inflating to `decoded_mib` MiB of JSON white space, then the answer `tail`."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    spaces = b" " * 2**20
    parts = [packer.compress(spaces) for _ in range(decoded_mib)]
    return b"".join([*parts, packer.compress(tail.encode()), packer.flush()])


class Source(ThreadingHTTPServer):
    """A source answering every GET with the answer of its `mode`; counts the requests per path."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = "bomb"
        self.requests: dict[str, int] = {}

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    """Tokens for anyone; pages spoilt the way the server's mode says."""

    server: Source

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(json.dumps({"access_token": "t", "token_type": "Bearer", "expires_in": 300}).encode())

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.requests[path] = self.server.requests.get(path, 0) + 1
        fields, records_field = PAGES.get(path, ({"next_cursor": None}, "items"))
        if self.server.mode == "bomb":
            self._send(gzip_bomb(BOMB_MIB, json.dumps(fields | {records_field: []})), encoding="gzip")
        elif self.server.mode == "long_body":
            self._send_long()
        else:
            records = [{"n": n} for n in range(1001)]
            counts = {"tongSo": 1001, "soBanGhi": 1001} if path == "/api/v1/hoso" else {}
            self._send(json.dumps(fields | counts | {records_field: records}).encode())

    def _send(self, body: bytes, encoding: str | None = None) -> None:
        """One JSON answer."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        self.wfile.write(body)

    def _send_long(self) -> None:
        """A chunked JSON answer of LONG_BODY_MIB MiB (white space), sent until the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b" " * 2**20
        try:
            self.wfile.write(b"%x\r\n{\"items\": [\r\n" % 11)
            for _ in range(LONG_BODY_MIB):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            return


@pytest.fixture(scope="module")
def source() -> Iterator[Source]:
    """The spoilt source on loopback."""
    server = Source()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def clients(source: Source) -> dict[str, Any]:
    """Both real clients pointed at the spoilt source, with quick retries."""
    fast = {"timeout_seconds": 5.0, "backoff_seconds": 0.01, "max_backoff_seconds": 0.02}
    return {
        "egov": EgovClient(base_url=source.url, api_key="k", **fast),
        "newsys": NewsysClient(base_url=source.url, client_id="c", client_secret="s", **fast),
    }


READS = {
    "egov": ("/api/v1/hoso", lambda client: list(client.iter_case_pages(None, FetchStats()))),
    "newsys": ("/api/v2/cases", lambda client: list(client.iter_case_pages(None, FetchStats()))),
    "officials": ("/api/v2/officials", lambda client: list(client.iter_official_pages(FetchStats()))),
    "procedures": ("/api/v2/procedures", lambda client: client.procedures(FetchStats())),
    "events": ("/api/v2/events", lambda client: client.events(0, limit=1000)),
}


SPOILS = {
    "bomb": "decodes to over the limit of 33554432 bytes",
    "long_body": "is over the limit of 33554432 bytes",
    "long_page": "holds 1001 records, more than the",
}
CASES = [
    (read, mode)
    for read in sorted(READS)
    for mode in SPOILS
    if not (mode == "long_page" and read == "procedures")  # the catalogue is one page: no limit is asked for
]


@pytest.mark.parametrize(("read", "mode"), CASES)
def test_an_answer_too_large_fails_the_read_at_once(source: Source, read: str, mode: str) -> None:
    path, call = READS[read]
    message = SPOILS[mode]
    source.mode, source.requests = mode, {}
    client = clients(source)["egov" if read == "egov" else "newsys"]
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as caught:
            call(client)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.cause == "OversizedAnswer", str(caught.value)
    assert message in str(caught.value) and f"GET {path}" in str(caught.value)
    assert source.requests == {path: 1}, "never retried"
    assert peak < 80 * 2**20, f"{peak} bytes allocated to refuse the answer"
