"""The printed summary shows the rows published from the petition and rating feeds and the two petition
indicators of the whole Department against their targets."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pipelines.cli import print_summary
from resources.warehouse import WarehouseResource
from tests.overdue_petitions import insert_petitions, petition

INSERT_INDICATOR = text(
    "INSERT INTO mart.indicator_monthly (period_month, unit_code, indicator_code, numerator, denominator,"
    " value, target, meets_target) VALUES (:month, :unit, :code, :num, :den, CAST(:num AS numeric) / :den,"
    " :target, CAST(:num AS numeric) / :den >= :target)"
)
INDICATORS = [
    ("2025-06-01", "ALL", "petition_on_time_rate", 9, 10, 0.96),
    ("2025-07-01", "ALL", "petition_on_time_rate", 24, 25, 0.96),
    ("2025-07-01", "U1", "petition_on_time_rate", 1, 2, 0.96),
    ("2025-07-01", "ALL", "petition_satisfaction_rate", 9, 10, 0.92),
    ("2025-08-01", "ALL", "on_time_rate", 5, 10, 0.96),
]


def test_the_summary_shows_the_petition_marts_and_indicators(
    warehouse: WarehouseResource, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with warehouse.begin() as conn:
        insert_petitions(conn, [petition("P1", "U1", 2, "2025-07-01 08:00", "2025-07-20 17:00"),
                                petition("P2", "U1", 1, "2025-07-02 08:00", "2025-07-21 17:00")],
                         with_senders=False)  # fmt: skip
        conn.execute(text("INSERT INTO mart.fact_rating (rating_key, case_no, channel, rated_at, level,"
                          " by_applicant, in_force) VALUES ('R1', 'C1', 1, now(), 3, true, true)"))
        names = ("month", "unit", "code", "num", "den", "target")
        conn.execute(INSERT_INDICATOR, [dict(zip(names, row, strict=True)) for row in INDICATORS])
    monkeypatch.setenv("WAREHOUSE_URL", warehouse.url)
    print_summary("no-run", 1.0)
    printed = capsys.readouterr().out
    section = printed.split("=== petitions and ratings (marts) ===", 1)[1].split("\n=== ", 1)[0].splitlines()
    lines = [line.split() for line in section if line.strip()]
    assert ["mart.fact_petition", "2"] in lines and ["mart.fact_rating", "1"] in lines
    assert ["petition_on_time_rate", "2025-07", "96.0%", "24/25", "96%", "met"] in lines
    assert ["petition_satisfaction_rate", "2025-07", "90.0%", "9/10", "92%", "below"] in lines
    june = ["petition_on_time_rate", "2025-06"]
    assert not any(line[:2] == june for line in lines), "only the latest two months"
    assert sum(1 for line in lines if line[0].startswith("petition_")) == 2, "the Department's rows only"
