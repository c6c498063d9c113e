"""Two HTTP/1.1 servers on loopback, one per source system, sharing one simulated world."""

from __future__ import annotations

import contextlib
import json
import random
import secrets
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from simulator.faults import FaultDice, Faults
from simulator.routes import Reply, Request, dispatch, error, parse_query
from simulator.world import World

STAT_NAMES = ("requests", "429", "5xx", "drops", "token_expiries", "concurrent_updates", "tokens_issued",
              "html", "truncated", "cut_bodies", "hangs", "repeated_pages")
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
             b"<body><h1>Bad Gateway</h1><p>The upstream server is unavailable.</p></body></html>")


class TokenStore:
    """Issued access tokens: each valid for `lifetime` seconds unless revoked early."""

    def __init__(self, lifetime: int = 300) -> None:
        """An empty store."""
        self.lifetime = lifetime
        self._tokens: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        """A new token."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            self._tokens = {t: v for t, v in self._tokens.items() if v[0] > now}
            self._tokens[token] = [now + self.lifetime, 0]
        return token

    def use(self, token: str) -> bool:
        """Whether a token is valid now (counting the use)."""
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None or entry[0] <= time.monotonic():
                return False
            entry[1] += 1
            return True

    def seasoned(self, token: str) -> bool:
        """Whether a token had been used before this call (a fresh one is never revoked early)."""
        with self._lock:
            entry = self._tokens.get(token)
            return entry is not None and entry[1] > 1

    def revoke(self, token: str) -> None:
        """Revoke a token before its time."""
        with self._lock:
            self._tokens.pop(token, None)


class _Server(ThreadingHTTPServer):
    """A threading HTTP server that can close its open keep-alive connections when stopped."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        """Bind and listen."""
        super().__init__(address, handler)
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection, then serve it in its own thread."""
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection and close it."""
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_all(self) -> None:
        """Close every open connection."""
        with self.sockets_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into route calls; keep-alive with Content-Length."""

    protocol_version = "HTTP/1.1"
    server_version = "TTHC-Sim/1.0"
    timeout = 60
    wbufsize = -1
    disable_nagle_algorithm = True
    sim: SimulatorServers
    system: str

    def do_GET(self) -> None:
        """Answer a GET."""
        self._answer("GET")

    def do_POST(self) -> None:
        """Answer a POST."""
        self._answer("POST")

    def do_PUT(self) -> None:
        """Refuse a PUT."""
        self._answer("PUT")

    def do_DELETE(self) -> None:
        """Refuse a DELETE."""
        self._answer("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet (no access log)."""

    def _answer(self, method: str) -> None:
        """Read the request, dispatch it and write the reply (or drop the connection)."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(self.system, method, url.path, parse_query(url.query), headers, body)
        try:
            reply = dispatch(self.sim, req)
        except Exception as exc:
            print(f"simulator: {method} {self.path} failed: {exc!r}", file=sys.stderr)
            reply = error(500, "internal_error", "Unexpected simulator error")
        if reply.body is None:
            self.close_connection = True
            return
        self._write(reply)

    def _write(self, reply: Reply) -> None:
        """Write a JSON reply with its Content-Length, spoilt the way its fault says."""
        body = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":"))
        data = body.encode("utf-8", "surrogateescape")
        content_type, sent = "application/json; charset=utf-8", data
        if reply.fault == "html":
            content_type, data = "text/html; charset=utf-8", HTML_PAGE
            sent = data
        elif reply.fault == "truncated":
            data = sent = data[: len(data) // 2]
        elif reply.fault == "cut":
            sent = data[: len(data) // 2]
        elif reply.fault == "hang":
            time.sleep(self.sim.faults.hang_seconds)
        with contextlib.suppress(OSError):
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(sent)
            self.wfile.flush()
        if reply.fault in ("cut", "hang"):
            self.close_connection = True


class SimulatorServers:
    """The Egov and new-system simulators over real HTTP, sharing one world (use as a context manager)."""

    def __init__(
        self, world: World, *, egov_api_key: str = "demo-egov-key", client_id: str = "egov-sync",
        client_secret: str = "demo-secret", faults: Faults | None = None, host: str = "127.0.0.1",
        egov_port: int = 0, newsys_port: int = 0,
    ) -> None:
        """Configure the servers (nothing listens until `start`)."""
        self.world = world
        self.egov_api_key = egov_api_key
        self.client_id = client_id
        self.client_secret = client_secret
        self.host = host
        self.ports = {"egov": egov_port, "newsys": newsys_port}
        self.lock = threading.RLock()
        self.tokens = TokenStore()
        self.stats: dict[str, int] = dict.fromkeys(STAT_NAMES, 0)
        self._stats_lock = threading.Lock()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self.faults = faults or Faults.none()

    @property
    def faults(self) -> Faults:
        """The faults in force (replace or edit them between runs)."""
        return self._faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        """Switch to other faults; the dice start again from their seed."""
        self._faults = value
        self.dice = FaultDice(value)
        self._bump_rng = random.Random(value.seed + 1)

    @property
    def egov_url(self) -> str:
        """Base URL of the Egov simulator (no trailing slash)."""
        return self._url("egov")

    @property
    def newsys_url(self) -> str:
        """Base URL of the new-system simulator (no trailing slash)."""
        return self._url("newsys")

    def _url(self, system: str) -> str:
        """Base URL of one simulator."""
        server = self._servers.get(system)
        if server is None:
            raise RuntimeError("the simulator servers are not started")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{server.server_address[1]}"

    def count(self, name: str) -> None:
        """Add one to a statistic."""
        with self._stats_lock:
            self.stats[name] = self.stats.get(name, 0) + 1

    def maybe_bump(self, system: str, served: list[int]) -> None:
        """Now and then, change a record of the page just served (call with the world lock held)."""
        bump = served and self.dice.concurrent_update()
        if bump and self.world.concurrent_update(system, served, self._bump_rng) is not None:
            self.count("concurrent_updates")

    def start(self) -> SimulatorServers:
        """Start both servers in background threads."""
        if self._servers:
            return self
        for system in ("egov", "newsys"):
            handler = type(f"{system.title()}Handler", (_Handler,), {"sim": self, "system": system})
            server = _Server((self.host, self.ports[system]), handler)
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"sim-{system}", daemon=True)
            self._servers[system] = server
            self._threads.append(thread)
            thread.start()
        return self

    def stop(self) -> None:
        """Stop both servers and close their connections."""
        for server in self._servers.values():
            server.shutdown()
            server.close_all()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> SimulatorServers:
        """Start on entering the context."""
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop on leaving the context."""
        self.stop()
