"""The monthly report's section "Phản ánh, kiến nghị" from hand-made `mart.fact_petition` rows and petition
indicators: per unit received, ended, on time, overdue and satisfied against the targets, and the open overdue
petitions ten at a time; never the sender's data or the petition's text."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import text

from assets.report_files import monthly_report
from core.asset_keys import MONTHLY_REPORT
from pipelines.run_tags import full_range_run_tags
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from tests.indicator_data import AS_OF, install_backlog, install_sources
from tests.overdue_petitions import insert_petitions, petition, sender_values

INSERT_INDICATOR = text(
    "INSERT INTO mart.indicator_monthly (period_month, unit_code, indicator_code, numerator, denominator,"
    " value, target, meets_target) SELECT '2025-07-01', :unit, :code, :num, :den,"
    " CAST(:num AS numeric) / :den, t.target, CAST(:num AS numeric) / :den >= t.target"
    " FROM mart.indicator_targets AS t WHERE t.indicator_code = :code"
)
INDICATORS = [
    ("ALL", "petition_on_time_rate", 12, 14), ("U1", "petition_on_time_rate", 11, 13),
    ("U3", "petition_on_time_rate", 1, 1), ("ALL", "petition_satisfaction_rate", 1, 1),
    ("U1", "petition_satisfaction_rate", 1, 1),
]  # fmt: skip


def install_petitions(warehouse: WarehouseResource) -> None:
    """July 2025: U1 with a handled, a rejected and twelve open overdue petitions, U3 with one unclassified
    open overdue petition and one that arrived in August, not yet due; their petition indicators."""
    with warehouse.begin() as conn:
        insert_petitions(conn, [
            petition("PAKN-U1-01", "U1", 2, "2025-07-02 08:00", "2025-07-23 17:00"),
            petition("PAKN-U1-02", "U1", 7, "2025-07-05 08:00", "2025-07-25 17:00", "2025-07-20 10:00"),
            petition("PAKN-U1-03", "U1", 4, "2025-06-28 08:00", "2025-07-18 17:00", "2025-07-01 09:00"),
            *[petition(f"PAKN-U1-{n}", "U1", 2, f"2025-07-{n}T08:00", f"2025-08-{n - 10:02d} 17:00",
                       classification=2)
              for n in range(11, 22)],
            petition("PAKN-U3-01", "U3", 1, "2025-08-01 08:00", "2025-08-22 17:00"),
            petition("PAKN-U3-02", "U3", 2, "2025-07-10 08:00", "2025-07-31 17:00", classification=None),
        ])  # fmt: skip
        indicators = [{"unit": u, "code": c, "num": n, "den": d} for u, c, n, d in INDICATORS]
        conn.execute(INSERT_INDICATOR, indicators)


@pytest.fixture
def report_page(warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The report rendered from the hand-made petitions (the report alone: the indicators as inserted)."""
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path / "data"))
    install_sources(warehouse)
    install_backlog(warehouse)
    install_petitions(warehouse)
    result = dg.materialize(
        [monthly_report],
        resources={"warehouse": warehouse, "settings": PipelineSettings(pii_hash_key="test-key")},
        tags=full_range_run_tags(AS_OF),
        instance=dg.DagsterInstance.ephemeral(),
    )
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == MONTHLY_REPORT]
    return Path(event.materialization.metadata["report"].value)


def cells_by_unit(summary: str) -> dict[str, list[str]]:
    """The summary table's cells per unit heading (the counts of a rate cell kept beside it)."""
    found = {}
    for unit, row in re.findall(r"<tr><th>([^<]+)</th>(.*?)</tr>", summary):
        texts = [re.sub(r"<[^>]+>", " ", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        cells = [" ".join(cell.split()) for cell in texts]
        if cells:
            found[unit] = cells
    return found


def test_the_petition_section_counts_each_unit_against_the_targets(report_page: Path) -> None:
    page = report_page.read_text(encoding="utf-8")
    section = page.split("<h2>8. Phản ánh, kiến nghị tháng 07/2025</h2>")[1].split("</section>")[0]
    summary = section.split("id='petition-summary'")[1].split("</div>")[0]
    assert "chỉ tiêu 96,0%" in summary and "chỉ tiêu 92,0%" in summary
    cells = cells_by_unit(summary)
    assert list(cells) == ["Toàn Sở (ALL)", "U1", "U3"]
    assert cells["Toàn Sở (ALL)"] == ["14", "2", "85,7% 12/14", "2", "13", "100,0% 1/1"]
    assert cells["U1"] == ["13", "2", "84,6% 11/13", "2", "12", "100,0% 1/1"]
    assert cells["U3"] == ["1", "0", "100,0% 1/1", "0", "1", "–"]
    assert 'class="num bad" title="11/13"' in summary and 'class="num ok" title="1/1"' in summary


def test_the_open_overdue_petitions_are_listed_oldest_first_ten_a_unit(report_page: Path) -> None:
    page = report_page.read_text(encoding="utf-8")
    listed = page.split("id='overdue-petitions'")[1].split("</div>")[0]
    assert "U1: 12 phản ánh, kiến nghị quá hạn" in listed and "U3: 1 phản ánh, kiến nghị quá hạn" in listed
    u1 = listed.split("U1: 12")[1].split("<h3>")[0]
    keys = re.findall(r'<td class="key">([^<]+)</td>', u1)
    assert keys == ["PAKN-U1-01", *[f"PAKN-U1-{n}" for n in range(11, 20)]]
    assert "… và 2 phản ánh, kiến nghị khác." in u1
    first = re.findall(r"<td[^>]*>([^<]*)</td>", u1.split("<tr>")[2])
    assert first == ["1", "PAKN-U1-01", "U1", "Quy định, chính sách, TTHC", "Cổng DVC quốc gia", "02/07/2025",
                     "23/07/2025", "23"]  # fmt: skip
    u3 = listed.split("U3: 1")[1]
    assert "PAKN-U3-02" in u3 and "Chưa phân loại" in u3 and "PAKN-U3-01" not in u3
    assert "PAKN-U1-02" not in listed and "PAKN-U1-03" not in listed, "ended petitions are not overdue"


def test_the_petition_section_carries_no_sender_data(report_page: Path) -> None:
    folder = report_page.parent
    for path in folder.iterdir():
        content = path.read_bytes().decode("utf-8", errors="replace")
        for value in sender_values():
            assert value not in content, (path.name, value)


def test_without_petitions_the_section_says_so(
    warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path / "data"))
    install_sources(warehouse)
    result = dg.materialize(
        [monthly_report],
        resources={"warehouse": warehouse, "settings": PipelineSettings(pii_hash_key="test-key")},
        tags=full_range_run_tags(AS_OF),
        instance=dg.DagsterInstance.ephemeral(),
    )
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == MONTHLY_REPORT]
    page = Path(event.materialization.metadata["report"].value).read_text(encoding="utf-8")
    assert "Không có phản ánh, kiến nghị nào trong tháng." in page
    assert "Không có phản ánh, kiến nghị nào quá hạn chưa xử lý." in page
