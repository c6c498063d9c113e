"""How figures are shown to people: Markdown tables for Dagster metadata, percentages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dagster as dg


def markdown_table(records: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> dg.MetadataValue:
    """A Markdown table of `columns` taken from each record (empty cells for nulls)."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for record in records:
        cells = (
            "" if record.get(name) is None else str(record[name]).replace("|", "\\|") for name in columns
        )
        lines.append("| " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def counts_table(counts: Mapping[str, int], label: str, value: str = "rows") -> dg.MetadataValue:
    """A two-column Markdown table of named counts, with a total line."""
    records = [{label: name, value: number} for name, number in counts.items()]
    records.append({label: "**total**", value: sum(counts.values())})
    return markdown_table(records, [label, value])


def percent(value: Any, decimal_mark: str = ".") -> str:
    """A ratio as a percentage with one decimal (`decimal_mark` "," for Vietnamese), or a dash."""
    return "–" if value is None else f"{float(value) * 100:.1f}%".replace(".", decimal_mark)


def violations_result(
    found: Sequence[Mapping[str, Any]], columns: Sequence[str], *, count: str = "violations_shown",
    table: str = "violations",
) -> dg.AssetCheckResult:
    """An asset check that passes when a query found no violating rows, and shows those it found."""
    return dg.AssetCheckResult(
        passed=not found, metadata={count: len(found), table: markdown_table(found, columns)}
    )
