"""Ground-truth helpers: source text, timestamps, keys and months, read independently of the pipeline."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

ORACLE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

_NEW_TIME = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})")
_EGOV_TIME = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})(?: ([0-9]{2}):([0-9]{2}):([0-9]{2}))?")


class BadTime(ValueError):
    """A timestamp text that is not empty and does not parse to a real calendar time."""


def as_text(value: Any) -> str:
    """A JSON value as text (JSON text for non-strings, '' for absent or null), NFC-normalised and trimmed."""
    if value is None:
        return ""
    raw = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return unicodedata.normalize("NFC", raw).strip()


def folded(text: str) -> str:
    """The case-folded form of an already clean text, used to match Egov labels."""
    return text.casefold()


def oracle_label(text: str) -> str:
    """A label constant in the form source labels are matched against (NFC, trimmed, case-folded)."""
    return folded(unicodedata.normalize("NFC", text).strip())


def _local_time(parts: tuple[str, ...]) -> datetime:
    """A local Asia/Ho_Chi_Minh time from year, month, day, hour, minute, second texts."""
    try:
        return datetime(*(int(p) for p in parts), tzinfo=ORACLE_ZONE)
    except ValueError as exc:
        raise BadTime(str(parts)) from exc


def parse_new_time(text: str) -> datetime | None:
    """Parse a new-system `yyyyMMddHHmmss` local time; None when empty, BadTime when unparseable."""
    if not text:
        return None
    match = _NEW_TIME.fullmatch(text)
    if match is None:
        raise BadTime(text)
    return _local_time(match.groups())


def parse_egov_time(text: str) -> datetime | None:
    """Parse an Egov `dd/MM/yyyy HH:mm:ss` or `dd/MM/yyyy` local time; None when empty, BadTime when bad."""
    if not text:
        return None
    match = _EGOV_TIME.fullmatch(text)
    if match is None:
        raise BadTime(text)
    day, month, year, hour, minute, second = match.groups()
    return _local_time((year, month, day, hour or "0", minute or "0", second or "0"))


def oracle_payload_key(payload: Any) -> str:
    """The key of a record without a usable key: 'sha256:' + hex digest of its canonical JSON."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def oracle_applicant_key(applicant_id: str | None, pii_key: str) -> str | None:
    """Lowercase hex HMAC-SHA-256 of the trimmed applicant ID number; None when there is none."""
    if not applicant_id:
        return None
    return hmac.new(pii_key.encode("utf-8"), applicant_id.encode("utf-8"), hashlib.sha256).hexdigest()


def oracle_normalised_case_no(text: str) -> str:
    """A case number upper-cased with every character that is not a letter or digit removed."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def to_minute(moment: datetime | None) -> datetime | None:
    """A time truncated to the minute (None stays None)."""
    return None if moment is None else moment.replace(second=0, microsecond=0)


def month_index(moment: datetime) -> int:
    """The local calendar month of a time as a single integer (year * 12 + month - 1)."""
    local = moment.astimezone(ORACLE_ZONE)
    return local.year * 12 + local.month - 1


def month_start(index: int) -> datetime:
    """The local midnight starting the month of a month index."""
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=ORACLE_ZONE)


def month_date(index: int) -> date:
    """The first day of the month of a month index."""
    return date(index // 12, index % 12 + 1, 1)
