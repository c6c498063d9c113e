"""A small static web server for one folder (the Data Docs site), on loopback, for the demo and the local UI;
a deployment serves the same folder with its own web server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LOOPBACK = "127.0.0.1"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files of the folder without writing a line per request to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        """Say nothing."""


@contextmanager
def serving_folder(directory: Path, port: int = 0, host: str = LOOPBACK) -> Iterator[str]:
    """Serve `directory` over HTTP on `host:port` (0: any free port) until leaving; yields its base URL."""
    directory.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer((host, port), partial(QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, name="static-site", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
