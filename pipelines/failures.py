"""The text that says why a run failed: one line per failed step, from the run's step-failure events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo

SOURCE_ERRORS = frozenset({"SourceError", "EventsGone"})
WRAPPERS = frozenset({"DagsterExecutionStepExecutionError", "DagsterUserCodeExecutionError"})


def failure_lines(step_failures: Iterable[dg.DagsterEvent]) -> list[str]:
    """`failed step <key>: <error class>: <message>` per failed step; a source error names its request."""
    lines = []
    for event in step_failures:
        error = getattr(event.event_specific_data, "error", None)
        lines.append(f"failed step {event.step_key}: {describe(error) if error else 'no error recorded'}")
    return lines


def failure_text(step_failures: Iterable[dg.DagsterEvent], fallback: str = "") -> str:
    """The failure lines as one text; `fallback` when no step failed (e.g. a run that could not start)."""
    return "\n".join(failure_lines(step_failures)) or fallback


def describe(error: SerializableErrorInfo) -> str:
    """The error that explains a failure: a source error when there is one, else the innermost cause."""
    chain = _chain(error)
    chosen = next((info for info in chain if info.cls_name in SOURCE_ERRORS), None)
    if chosen is None:
        chosen = next((info for info in reversed(chain) if info.cls_name not in WRAPPERS), chain[-1])
    message = _message(chosen)
    return message if chosen.cls_name in SOURCE_ERRORS else f"{chosen.cls_name}: {message}"


def _chain(error: SerializableErrorInfo) -> list[SerializableErrorInfo]:
    """The error followed by its causes (or, without a cause, its context), outermost first."""
    chain = [error]
    while len(chain) < 20:
        following = chain[-1].cause or chain[-1].context
        if following is None:
            break
        chain.append(following)
    return chain


def _message(info: SerializableErrorInfo) -> str:
    """The exception's own message, without its module-qualified class name prefix."""
    text = " ".join(info.message.split())
    head, separator, rest = text.partition(": ")
    return rest if separator and head.rsplit(".", 1)[-1] == info.cls_name else text
