"""The report files' fingerprint (what a file shows, not when it was asked for) and their digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from core.local_time import LOCAL_ZONE
from reports.monthly_data import ReportData
from reports.render_memo import content_digest, fingerprint

AS_OF = datetime(2026, 11, 15, 9, 30, tzinfo=LOCAL_ZONE)


def report(**fields: object) -> ReportData:
    """A report's data with a few values."""
    data = ReportData(AS_OF, date(2026, 10, 1), targets={"a": 1, "b": 2}, unit_names={"U1": "Một"})
    return replace(data, **fields)


def test_the_fingerprint_is_that_of_the_rows_and_the_as_of_date() -> None:
    printed = fingerprint(AS_OF.date(), report())
    assert fingerprint(AS_OF.date(), report(as_of=AS_OF + timedelta(minutes=5))) == printed
    assert fingerprint(AS_OF.date(), report(targets={"b": 2, "a": 1})) == printed
    assert fingerprint(AS_OF.date() + timedelta(days=1), report()) != printed
    assert fingerprint(AS_OF.date(), report(unit_names={"U1": "Hai"})) != printed
    assert fingerprint(AS_OF.date(), report(month=date(2026, 9, 1))) != printed
    assert fingerprint(AS_OF.date(), report(), "another folder") != printed


def test_the_digest_tells_an_edited_missing_or_linked_file(tmp_path: Path) -> None:
    page, chart = tmp_path / "page.html", tmp_path / "chart.png"
    page.write_bytes(b"<p>page</p>")
    chart.write_bytes(b"png")
    digest = content_digest([page, chart])
    assert digest is not None and content_digest([page, chart]) == digest
    chart.write_bytes(b"png!")
    assert content_digest([page, chart]) != digest
    chart.unlink()
    assert content_digest([page, chart]) is None
    chart.symlink_to(page)
    assert content_digest([page, chart]) is None
