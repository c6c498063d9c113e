"""Alerts are POSTed as JSON to the webhook; an unreachable webhook never fails the caller."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from resources.alerting import AlertingResource


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A local HTTP endpoint that records the JSON bodies POSTed to it."""
    received: list[dict] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts", received
    server.shutdown()


def test_alert_is_posted_as_json(webhook: tuple[str, list[dict]]) -> None:
    url, received = webhook
    AlertingResource(webhook_url=url).send("backlog_residue", "12 cases still open on Egov", {"residue": 12})
    assert len(received) == 1
    alert = received[0]
    assert (alert["kind"], alert["details"]["residue"], alert["source"]) == (
        "backlog_residue",
        12,
        "egov-sync",
    )


def test_unreachable_webhook_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    alert = AlertingResource(webhook_url="http://127.0.0.1:9/nowhere", timeout_seconds=1).send(
        "run_failure", "x"
    )
    assert alert["kind"] == "run_failure"
    assert "could not be delivered" in caplog.text
