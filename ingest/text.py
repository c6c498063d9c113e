"""Text as the contracts want it compared: NFC-normalised and trimmed."""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from typing import Any

MAX_DEPTH = 32
CUT_MARK = "…(nested deeper than 32 levels)"


def clean(value: Any) -> str:
    """NFC-normalise and trim a source value; absent or null reads as empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFC", value).strip()


def label(value: Any) -> str:
    """A label for comparison: cleaned and case-folded."""
    return clean(value).casefold()


def canonical_json(payload: Any) -> str:
    """Stable JSON text of a payload, used to key records that have no usable key."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def payload_key(payload: Any) -> str:
    """`sha256:` + the hash of the canonical JSON of a payload (cut at MAX_DEPTH when nested deeper)."""
    try:
        text = canonical_json(payload)
    except RecursionError:
        text = canonical_json(cut_deep(payload))
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def cut_deep(payload: Any, depth: int = MAX_DEPTH) -> Any:
    """A copy of a payload whose containers below `depth` levels are replaced by CUT_MARK, and whose
    non-finite numbers (NaN, infinities: not JSON) by null; no recursion."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(payload, root, 0, 0)]
    while stack:
        value, parent, slot, level = stack.pop()
        if not isinstance(value, dict | list):
            parent[slot] = None if isinstance(value, float) and not math.isfinite(value) else value
        elif level >= depth:
            parent[slot] = CUT_MARK
        elif isinstance(value, dict):
            parent[slot] = copy = dict.fromkeys(value)
            stack.extend((item, copy, key, level + 1) for key, item in value.items())
        else:
            parent[slot] = copy = [None] * len(value)
            stack.extend((item, copy, index, level + 1) for index, item in enumerate(value))
    return root[0]
