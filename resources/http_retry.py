"""HTTP requests with retries: 429/5xx, dropped or cut-off connections, timeouts and invalid 200 answers."""

from __future__ import annotations

import json
import random
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

from core.logs import project_logger

log = project_logger("http")
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRYABLE_ERRORS = (httpx.TransportError, httpx.DecodingError)
DIGITS_AS_ZERO = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
LONG_DIGIT_RUN = b"0" * 19
ACCEPTED_ENCODINGS = "gzip, deflate"
ERROR_BODY_BYTES = 65_536
MIB = 2**20
DECODE_STEP_BYTES = MIB


@dataclass
class FetchStats:
    """What a read from a source cost: requests, retries by cause, pages, token refreshes."""

    requests: int = 0
    retries: int = 0
    pages: int = 0
    token_refreshes: int = 0
    retry_causes: dict[str, int] = field(default_factory=dict)

    def count_retry(self, cause: str) -> None:
        """Record one retry and its cause (a status code or an error class)."""
        self.retries += 1
        self.retry_causes[cause] = self.retry_causes.get(cause, 0) + 1


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to retry transient failures."""

    max_attempts: int = 8
    base_delay: float = 0.25
    max_delay: float = 30.0
    max_retry_after: float = 300.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter for attempt number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    def delay_for(self, response: httpx.Response | None, attempt: int) -> float:
        """The server's Retry-After when it gives one (capped), else the backoff."""
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(retry_after, self.max_retry_after)
        return self.backoff(attempt)


@dataclass(frozen=True)
class Target:
    """What a request is for, as an error names it: source, method, path and page or cursor (no secrets)."""

    source: str
    method: str
    path: str
    position: str = ""

    def describe(self) -> str:
        """`source METHOD path (position)`."""
        where = f" ({self.position})" if self.position else ""
        return f"{self.source} {self.method} {self.path}{where}"


class SourceError(RuntimeError):
    """A source failure that retrying did not or will not fix; says which request, why, and how far."""

    def __init__(
        self,
        target: Target,
        cause: str,
        message: str,
        *,
        attempts: int = 1,
        committed: int | None = None,
    ) -> None:
        self.target = target
        self.cause = cause
        self.detail = message
        self.attempts = attempts
        self.committed = committed
        super().__init__(self.text())

    @property
    def source(self) -> str:
        """The source system's name."""
        return self.target.source

    def text(self) -> str:
        """One line: the request, the status or error class, the message, attempts and records committed."""
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        line = f"{self.target.describe()}: {self.cause}{tries}: {self.detail}"
        if self.committed is not None:
            line += f"; {self.committed} records of this read were committed before the failure"
        return line

    def with_committed(self, committed: int) -> SourceError:
        """The same error, saying how many records were committed before it."""
        self.committed = committed
        self.args = (self.text(),)
        return self

    def __str__(self) -> str:
        return self.text()


class InvalidAnswer(ValueError):
    """A 2xx answer that is not the JSON page the contract describes (retried like a 5xx)."""


class OversizedAnswer(ValueError):
    """An answer larger than allowed, or a page holding more records than asked for: the same request gets the
    same answer, so it is never retried."""


@dataclass(frozen=True)
class AnswerLimits:
    """How large one answer may be: as transferred (compressed or not) and decoded (after decompression)."""

    max_transfer_bytes: int = 32 * MIB
    max_decoded_bytes: int = 32 * MIB


class _Inflater:
    """Decompresses one `gzip` or `deflate` body (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, coding: str) -> None:
        self._gzip = coding in ("gzip", "x-gzip")
        self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)
        self._started = False

    def decompress(self, data: bytes, max_length: int) -> tuple[bytes, bytes]:
        """At most `max_length` decoded bytes of `data`, and the input not consumed yet."""
        try:
            out = self._zlib.decompress(data, max_length)
        except zlib.error as error:
            if self._gzip or self._started:
                raise httpx.DecodingError(f"the {self._coding()} answer is corrupt ({error})") from error
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._zlib.decompress(data, max_length)
        self._started = True
        return out, self._zlib.unconsumed_tail

    def finish(self) -> bytes:
        """What the decompressor still holds; DecodingError when the compressed stream stopped early."""
        rest = self._zlib.flush()
        if not self._zlib.eof:
            raise httpx.DecodingError(f"the {self._coding()} answer ends before its compressed stream does")
        return rest

    def _coding(self) -> str:
        """`gzip` or `deflate`."""
        return "gzip" if self._gzip else "deflate"


def _inflater(content_encoding: str) -> _Inflater | None:
    """The decompressor of a Content-Encoding (None for identity); InvalidAnswer for one not accepted."""
    codings = [coding.strip().lower() for coding in content_encoding.split(",")]
    codings = [coding for coding in codings if coding not in ("", "identity")]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflater(codings[0])
    raise InvalidAnswer(f"content encoding {content_encoding!r}, not one of {ACCEPTED_ENCODINGS}")


def _raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    """The body as it arrives, still compressed, chunk by chunk."""
    if not isinstance(response.stream, httpx.SyncByteStream):
        raise TypeError("a synchronous response was expected")
    yield from response.stream


def read_body(response: httpx.Response, limits: AnswerLimits) -> bytes:
    """The decoded body of a streamed response, read chunk by chunk: OversizedAnswer as soon as more than
    `limits` allow has arrived or been decompressed (a compression bomb never inflates past the limit)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_transfer_bytes:
        raise OversizedAnswer(
            f"the answer declares {int(declared)} bytes, over the limit of {limits.max_transfer_bytes}"
        )
    inflater = _inflater(response.headers.get("Content-Encoding", ""))
    parts: list[bytes] = []
    transferred = decoded = 0
    for chunk in _raw_chunks(response):
        transferred += len(chunk)
        if transferred > limits.max_transfer_bytes:
            raise OversizedAnswer(f"the answer is over the limit of {limits.max_transfer_bytes} bytes")
        while chunk:
            room = min(limits.max_decoded_bytes - decoded + 1, DECODE_STEP_BYTES)
            out, chunk = inflater.decompress(chunk, room) if inflater else (chunk[:room], chunk[room:])
            decoded += len(out)
            if decoded > limits.max_decoded_bytes:
                raise OversizedAnswer(
                    f"the answer decodes to over the limit of {limits.max_decoded_bytes} bytes"
                )
            parts.append(out)
    if inflater is not None:
        rest = inflater.finish()
        if decoded + len(rest) > limits.max_decoded_bytes:
            raise OversizedAnswer(f"the answer decodes to over the limit of {limits.max_decoded_bytes} bytes")
        parts.append(rest)
    return b"".join(parts)


@dataclass
class Answer:
    """A final answer: its status and, for a 2xx, the validated body."""

    status: int
    body: Any = None
    message: str = ""


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: an integer or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - time.time())


def decode_json(content: bytes) -> Any:
    """A JSON body decoded exactly as `json` reads it (bytes that are not UTF-8 kept as lone surrogates).

    orjson reads it when it can: it refuses what `json` would read differently (NaN, lone surrogates, bytes
    that are not UTF-8, deep nesting) but reads integers beyond 64 bits as floats, so a body holding a run of
    19 digits goes to `json` directly (found by mapping every digit to 0, a regular expression being slower
    than the decoding).
    """
    if LONG_DIGIT_RUN not in content.translate(DIGITS_AS_ZERO):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
    return json.loads(content.decode("utf-8", errors="surrogateescape"), parse_int=integer_literal)


def integer_literal(digits: str) -> int | float:
    """An integer as `json` reads it; one too long for Python to convert (over 4,300 digits) as an infinity,
    so that its record is quarantined (`not_finite_number`) instead of its whole page failing."""
    if len(digits.lstrip("-")) > sys.get_int_max_str_digits() > 0:
        return float("-inf") if digits.startswith("-") else float("inf")
    return int(digits)


def json_answer(response: httpx.Response, limits: AnswerLimits) -> Any:
    """The decoded JSON body, read within `limits`; InvalidAnswer for another content type, bad JSON or
    absurd nesting.

    Bytes that are not UTF-8 are kept as lone surrogates, so the parsers can quarantine their record.
    """
    content_type = response.headers.get("Content-Type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise InvalidAnswer(f"content type {media or 'missing'} instead of application/json")
    content = read_body(response, limits)
    try:
        return decode_json(content)
    except RecursionError as error:
        raise InvalidAnswer("the JSON is nested too deeply to read") from error
    except ValueError as error:
        raise InvalidAnswer(f"invalid JSON ({error})") from error


def send_with_retries(
    client: httpx.Client,
    build: Callable[[], httpx.Request],
    *,
    target: Target,
    policy: RetryPolicy,
    stats: FetchStats,
    validate: Callable[[Any], Any] = lambda body: body,
    sleep: Callable[[float], None] = time.sleep,
    limits: AnswerLimits = AnswerLimits(),
) -> Answer:
    """Send a request until it gets a final answer; a 2xx is read within `limits`, decoded and validated
    (invalid ones retried).

    Retried with backoff: 429/5xx (honouring Retry-After), transport errors (dropped or cut-off
    connections, timeouts, corrupt compression), invalid 2xx answers. Other statuses are final and returned
    unvalidated. An answer over `limits`, or a page longer than asked for, fails at once (OversizedAnswer).
    """
    for attempt in range(1, policy.max_attempts + 1):
        request = build()
        request.headers["Accept-Encoding"] = ACCEPTED_ENCODINGS
        stats.requests += 1
        response: httpx.Response | None = None
        try:
            response = client.send(request, stream=True)
            try:
                if response.status_code in RETRYABLE_STATUSES:
                    cause, detail = f"HTTP {response.status_code}", _error_text(response)
                elif not response.is_success:
                    return Answer(response.status_code, None, _error_text(response))
                else:
                    return Answer(response.status_code, validate(json_answer(response, limits)))
            finally:
                response.close()
        except RETRYABLE_ERRORS as error:
            cause, detail = type(error).__name__, str(error) or "the connection failed"
        except OversizedAnswer as error:
            raise SourceError(target, "OversizedAnswer", str(error), attempts=attempt) from error
        except InvalidAnswer as error:
            cause, detail = "InvalidAnswer", str(error)
        if attempt == policy.max_attempts:
            raise SourceError(target, cause, detail, attempts=attempt)
        stats.count_retry(cause.removeprefix("HTTP "))
        delay = policy.delay_for(response, attempt)
        log.info("%s on %s, retrying in %.2fs", cause, target.describe(), delay)
        sleep(delay)
    raise AssertionError("unreachable")


def _error_text(response: httpx.Response) -> str:
    """A short description of an error answer: its `message` field when it is JSON (of at most
    ERROR_BODY_BYTES), else its reason."""
    limits = AnswerLimits(ERROR_BODY_BYTES, ERROR_BODY_BYTES)
    try:
        body = json.loads(read_body(response, limits))
    except (ValueError, RecursionError, httpx.HTTPError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"][:200]
    return response.reason_phrase or "error answer"


def final_error(target: Target, answer: Answer, hint: str = "") -> SourceError:
    """The error of a final non-2xx answer (never retried)."""
    detail = hint or f"{answer.message or 'refused'} (a client error; retrying will not help)"
    return SourceError(target, f"HTTP {answer.status}", detail)
