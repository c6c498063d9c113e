"""Text as the contracts want it compared: NFC-normalised and trimmed."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any


def clean(value: Any) -> str:
    """NFC-normalise and trim a source value; absent or null reads as empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    return unicodedata.normalize("NFC", value).strip()


def clean_or_none(value: Any) -> str | None:
    """Like `clean`, but an empty result is None (NULL in typed columns)."""
    return clean(value) or None


def label(value: Any) -> str:
    """A label for comparison: cleaned and case-folded."""
    return clean(value).casefold()


def canonical_json(payload: Any) -> str:
    """Stable JSON text of a payload, used to key records that have no usable key."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def payload_key(payload: Any) -> str:
    """`sha256:` + the hash of the canonical JSON of a payload."""
    return "sha256:" + hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
