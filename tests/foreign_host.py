"""Stand-ins for hosts that nothing may reach: TCP listeners on loopback that record every connection."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class Recorder:
    """A TCP listener on loopback standing in for a foreign host: it records every connection it gets."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        """Accept connections and keep what they send, until closed."""
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                with suppress(OSError):
                    self.received.append(conn.recv(65536))

    def close(self) -> None:
        """Stop listening."""
        self.server.close()


@contextmanager
def recorders(count: int) -> Iterator[list[Recorder]]:
    """`count` foreign-host stand-ins, closed on leaving."""
    made = [Recorder() for _ in range(count)]
    try:
        yield made
    finally:
        for recorder in made:
            recorder.close()
