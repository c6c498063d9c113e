"""Injected faults: rate limits, transient errors, dropped connections, revoked tokens, concurrent updates,
HTML and truncated 200s, bodies cut off mid-stream, hung answers and pages that do not advance."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

MAX_IN_A_ROW = 3
TOKEN_MAX_IN_A_ROW = 1
TOKEN_RATE_SHARE = 0.25
EGOV_5XX = (500, 502, 503)
NEWSYS_5XX = (502, 503, 504)
REQUEST_FAULTS = ("drop", "429", "5xx", "html", "truncated", "cut", "hang")


@dataclass
class Faults:
    """Fault rates per request (0..1), the Retry-After sent with 429, the hang time, and the dice's seed.

    `html`: a 200 with an HTML page; `truncated`: a 200 with half its JSON; `cut`: the connection closes
    half-way through the body; `hang`: the answer waits `hang_seconds` before it is written;
    `repeat_page`: an Egov page repeats the previous page, a new-system page hands back the cursor it was
    asked with. `retry_after_date` sends Retry-After as an HTTP date instead of seconds.
    """

    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_drop: float = 0.0
    rate_token_expiry: float = 0.0
    rate_concurrent_update: float = 0.0
    rate_html: float = 0.0
    rate_truncated: float = 0.0
    rate_cut: float = 0.0
    rate_hang: float = 0.0
    rate_repeat_page: float = 0.0
    retry_after: int = 0
    retry_after_date: bool = False
    hang_seconds: float = 2.0
    seed: int = 0

    @classmethod
    def none(cls) -> Faults:
        """No faults at all."""
        return cls()

    @classmethod
    def demo(cls) -> Faults:
        """Modest faults, as a real deployment shows now and then."""
        return cls(rate_429=0.02, rate_5xx=0.02, rate_drop=0.01, rate_token_expiry=0.02,
                   rate_concurrent_update=0.02, retry_after=1)

    @classmethod
    def heavy(cls) -> Faults:
        """Frequent faults of every kind, for tests (no waiting: Retry-After 0)."""
        return cls(rate_429=0.10, rate_5xx=0.10, rate_drop=0.05, rate_token_expiry=0.10,
                   rate_concurrent_update=0.05, retry_after=0)

    @classmethod
    def soak(cls) -> Faults:
        """5% of requests faulted, spread over every kind a client must ride out (no waiting)."""
        return cls(rate_429=0.01, rate_5xx=0.01, rate_drop=0.005, rate_html=0.005, rate_truncated=0.005,
                   rate_cut=0.005, rate_hang=0.005, rate_token_expiry=0.005, retry_after=0, hang_seconds=12.0)

    @classmethod
    def named(cls, name: str) -> Faults:
        """The preset called `none`, `demo`, `heavy` or `soak`."""
        presets = {"none": cls.none, "demo": cls.demo, "heavy": cls.heavy, "soak": cls.soak}
        if name not in presets:
            raise ValueError(f"unknown faults preset {name!r} ({', '.join(presets)})")
        return presets[name]()

    def rate_of(self, fault: str) -> float:
        """The rate of one request fault by its name."""
        return float(getattr(self, f"rate_{fault}"))


class FaultDice:
    """Decides, request by request, which fault to inject; never too many in a row for one request."""

    def __init__(self, faults: Faults) -> None:
        """Dice seeded from the faults' seed; rates are read live from `faults`."""
        self.faults = faults
        self.rng = random.Random(faults.seed)
        self._in_a_row: dict[tuple[str, ...], int] = {}
        self._lock = threading.Lock()

    def decide(self, key: tuple[str, ...], token_endpoint: bool = False) -> str | None:
        """One of REQUEST_FAULTS or None for one request identified by `key`."""
        f = self.faults
        share, cap = (TOKEN_RATE_SHARE, TOKEN_MAX_IN_A_ROW) if token_endpoint else (1.0, MAX_IN_A_ROW)
        with self._lock:
            if self._in_a_row.get(key, 0) >= cap:
                return None
            roll = self.rng.random()
            for name in REQUEST_FAULTS:
                rate = f.rate_of(name)
                if roll < rate * share:
                    self._in_a_row[key] = self._in_a_row.get(key, 0) + 1
                    return name
                roll -= rate * share
            return None

    def expire_token(self, key: tuple[str, ...]) -> bool:
        """Whether to revoke the caller's token now (the request answers 401)."""
        with self._lock:
            if self._in_a_row.get(key, 0) >= MAX_IN_A_ROW:
                return False
            if self.rng.random() >= self.faults.rate_token_expiry:
                return False
            self._in_a_row[key] = self._in_a_row.get(key, 0) + 1
            return True

    def served(self, key: tuple[str, ...]) -> None:
        """A request was answered normally: its run of faults is over."""
        with self._lock:
            self._in_a_row.pop(key, None)

    def repeat_page(self) -> bool:
        """Whether this page fails to advance (served again, or its cursor handed back)."""
        with self._lock:
            return self.rng.random() < self.faults.rate_repeat_page

    def concurrent_update(self) -> bool:
        """Whether a record changes while this page is being served."""
        with self._lock:
            return self.rng.random() < self.faults.rate_concurrent_update

    def status_5xx(self, system: str) -> int:
        """A transient server error status of the given system."""
        with self._lock:
            return self.rng.choice(EGOV_5XX if system == "egov" else NEWSYS_5XX)
