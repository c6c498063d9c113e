"""A local webhook receiver for alert tests: records JSON bodies, answers with a scripted status sequence."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Webhook:
    """What the receiver saw: every request, and the bodies it accepted (answered 2xx)."""

    url: str
    statuses: list[int] = field(default_factory=list)
    requests: int = 0
    accepted: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of_kind(self, kind: str) -> list[dict]:
        """The accepted alerts of one kind."""
        with self.lock:
            return [alert for alert in self.accepted if alert["kind"] == kind]


@contextmanager
def webhook_receiver(statuses: list[int] | None = None) -> Iterator[Webhook]:
    """Serve a webhook on loopback; it answers `statuses` in turn, then 204 to every request."""
    hook = Webhook(url="", statuses=list(statuses or []))

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with hook.lock:
                hook.requests += 1
                status = hook.statuses.pop(0) if hook.statuses else 204
                if status < 300:
                    hook.accepted.append(body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/alerts"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
