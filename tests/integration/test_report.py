"""The monthly HTML report: one in-process run with the indicators, and rendering in headless Chromium."""

import base64
import html
import json
import os
import re
import stat
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import text

from assets.indicators import indicator_monthly
from assets.report_files import monthly_report
from assets.score766 import score766_monthly
from core.asset_keys import MONTHLY_REPORT as REPORT
from pipelines.run_tags import full_range_run_tags
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from tests.indicator_data import AS_OF, at, case, insert_cases, install_backlog, install_sources

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def render_report(warehouse: WarehouseResource) -> Path:
    """Materialise the indicators and the report in one run over the full partition range; return the page."""
    result = dg.materialize(
        [indicator_monthly, score766_monthly, monthly_report],
        resources={"warehouse": warehouse, "settings": PipelineSettings(pii_hash_key="test-key")},
        tags=full_range_run_tags(AS_OF),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == REPORT]
    return Path(event.materialization.metadata["report"].value)


def install_work_lists(warehouse: WarehouseResource) -> None:
    """A late July case, twelve residue cases of U3 and one of U1, and data-quality offenders."""
    with warehouse.begin() as conn:
        insert_cases(conn, [case("C11", "U3", 10, "2025-07-01 08:00", "2025-07-10 17:00", "2025-07-15 09:00",
                                 has_result=False, has_apology=True)])  # fmt: skip
        conn.execute(text("INSERT INTO staging.case VALUES ('newsys', 'C11', ARRAY['dave'], 'dave', false)"))
        conn.execute(
            text(
                "INSERT INTO mart.residue_case (egov_id, legacy_case_no, unit_code, status_code, received_at,"
                " due_at, days_open, days_overdue, last_official) VALUES (:i, :n, :u, 4, :r, :d, :o, :od, :l)"
            ),
            [
                {"i": i, "n": f"000.{i:02d}.H19-241201", "u": "U3" if i <= 12 else "U1",
                 "r": at(f"2024-11-{i:02d} 08:00"), "d": at(f"2024-12-{i:02d} 17:00"), "o": 300 - i,
                 "od": 250 - i, "l": "erin"}
                for i in range(1, 14)
            ],
        )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO mart.dq_offender (first_found_at, expectation, record_key, unit_code,"
                " received_at, due_at, finished_at, last_official) VALUES (now(), :e, :k, :u, :r, :d, :f, :l)"
            ),
            [
                {"e": "stopped_case_has_reason", "k": "C10", "u": "U3", "r": at("2025-07-15 08:00"),
                 "d": at("2025-07-20 17:00"), "f": at("2025-07-25 08:00"), "l": "bob"},
                {"e": "case_synced_to_national_portal", "k": "C9", "u": "U1", "r": at("2025-08-05 08:00"),
                 "d": at("2025-08-20 17:00"), "f": None, "l": None},
            ],
        )  # fmt: skip


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on the page with the given extra arguments."""
    command = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def report_page(warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The rendered report of the hand-made data set, under a temporary data folder."""
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path / "data"))
    install_sources(warehouse)
    install_backlog(warehouse)
    install_work_lists(warehouse)
    return render_report(warehouse)


def test_report_is_self_contained(report_page: Path) -> None:
    assert report_page.parent == report_page.parent.parent.parent / "reports" / "2025-07"
    page = report_page.read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 4
    assert not re.search(r"<script|<link|src=\"http", page)
    assert sorted(path.name for path in report_page.parent.glob("*.png")) == [
        "chi-so-toan-so.png",
        "ho-so-ton.png",
        "ho-so-tre-han.png",
        "xu-huong-12-thang.png",
    ]
    assert "Điểm Bộ chỉ số 766 tháng 07/2025" in page
    assert "ƯỚC TÍNH" not in page and "ước tính" not in page


def test_report_renders_in_headless_chromium(report_page: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            "/usr/bin/chromium is not installed (apt-get install -y --no-install-recommends chromium)"
        )
    screenshot = tmp_path / "report.png"
    shot = chromium(
        report_page, tmp_path / "profile-shot", f"--screenshot={screenshot}", "--window-size=1280,3000"
    )
    assert shot.returncode == 0, shot.stderr
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000
    dom = chromium(report_page, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr
    text = dom.stdout
    assert "Báo cáo kết quả giải quyết thủ tục hành chính – tháng 07/2025" in text
    assert "<title>Báo cáo TTHC tháng 07/2025</title>" in text
    assert "Tháng 08/2025 chưa kết thúc: số liệu tạm tính" in text
    for label in (
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "Tỷ lệ hồ sơ nộp trực tuyến",
        "Tỷ lệ hài lòng của người dân",
    ):
        assert label in text
    assert "Toàn Sở (ALL)" in text
    assert '<td class="">alice</td>' in text  # the official with a case open and late in July
    assert text.count("<img") == 4
    assert_work_lists(text)


def assert_work_lists(text: str) -> None:
    """The residue list, the month's findings and the officials' review, as rendered."""
    residue = text.split('id="residue-list"')[1].split("</div>")[0]
    assert "Phòng Y (U3): 12 hồ sơ tồn" in residue or "U3: 12 hồ sơ tồn" in residue
    assert residue.index("000.01.H19-241201") < residue.index("000.10.H19-241201")  # oldest first
    assert "000.11.H19-241201" not in residue and "… và 2 hồ sơ khác." in residue
    assert "000.13.H19-241201" in residue and "erin" in residue
    findings = text.split('id="dq-findings"')[1].split("</div>")[0]
    assert "Hồ sơ tạm dừng không ghi lý do (stopped_case_has_reason)" in findings
    assert ">C10<" in findings and ">bob<" in findings
    assert ">C9<" not in findings, "an August offender is not a finding of July"
    review = text.split('id="officials-review"')[1].split("</div>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", review)
    cells = {re.findall(r">([^<]*)</td>", row)[0]: re.findall(r">([^<]*)</td>", row)[1:] for row in rows[1:]}
    assert cells["dave"] == ["U3", "1", "1", "1", "0"]
    assert cells["bob"] == ["U3", "0", "0", "0", "1"]
    assert "carol" not in cells, "on time, with a result: nothing to review"


def test_report_renders_with_an_empty_warehouse(
    warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path / "data"))
    page = render_report(warehouse)
    assert page.parent.name == "2025-07"
    text = page.read_text(encoding="utf-8")
    assert "Báo cáo kết quả giải quyết thủ tục hành chính – tháng 07/2025" in text
    assert "Không còn hồ sơ tồn trên Egov." in text
    assert text.count('src="data:image/png;base64,') == 4


def materialize_report_alone(warehouse: WarehouseResource) -> dict[str, object]:
    """Materialise only the report; whether it was left unchanged, and when written its charts drawn and
    reused."""
    result = dg.materialize(
        [monthly_report],
        resources={"warehouse": warehouse, "settings": PipelineSettings(pii_hash_key="test-key")},
        tags=full_range_run_tags(AS_OF),
        instance=dg.DagsterInstance.ephemeral(),
    )
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == REPORT]
    metadata = event.materialization.metadata
    drawn = [name for name in ("drawn", "reused") if f"charts_{name}" in metadata]
    charts = {name: metadata[f"charts_{name}"].value for name in drawn}
    return {"unchanged": metadata["unchanged"].value} | charts


def test_a_chart_whose_data_changed_is_drawn_again(report_page: Path, warehouse: WarehouseResource) -> None:
    before = {path.name: path.read_bytes() for path in report_page.parent.glob("*.png")}
    with warehouse.begin() as conn:
        conn.execute(text("UPDATE mart.residue_case SET unit_code = 'U1' WHERE unit_code = 'U3'"))
        insert_cases(conn, [case("C12", "U3", 10, "2025-07-02 08:00", "2025-07-05 17:00", "2025-07-25 09:00",
                                 has_result=False)])  # fmt: skip
        conn.execute(text("INSERT INTO staging.case VALUES ('newsys', 'C12', ARRAY['erin'], 'erin', false)"))
    assert materialize_report_alone(warehouse) == {"unchanged": False, "drawn": 1, "reused": 3}
    after = {path.name: path.read_bytes() for path in report_page.parent.glob("*.png")}
    assert [name for name in before if before[name] != after[name]] == ["ho-so-tre-han.png"]


def published_files(page: Path) -> dict[str, tuple[bytes, int]]:
    """The files of the report's folder: their bytes and modification times."""
    return {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in page.parent.iterdir()}


def test_a_rerun_without_changes_writes_nothing(report_page: Path, warehouse: WarehouseResource) -> None:
    before = published_files(report_page)
    assert materialize_report_alone(warehouse) == {"unchanged": True}
    assert published_files(report_page) == before


def test_a_report_file_changed_on_disk_is_written_again(
    report_page: Path, warehouse: WarehouseResource
) -> None:
    written = report_page.read_bytes()
    report_page.write_bytes(b"<p>edited</p>")
    assert materialize_report_alone(warehouse) == {"unchanged": False, "drawn": 0, "reused": 4}
    assert report_page.read_bytes() == written


CHART_FILES = {"chi-so-toan-so.png", "xu-huong-12-thang.png", "ho-so-ton.png", "ho-so-tre-han.png"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_chart_cache_is_private_and_outside_the_published_reports(
    report_page: Path, tmp_path: Path
) -> None:
    reports = report_page.parent.parent
    assert sorted(path.relative_to(reports).as_posix() for path in reports.rglob("*")) == sorted(
        ["2025-07", "2025-07/bao-cao.html", *(f"2025-07/{name}" for name in CHART_FILES)]
    )
    cache = tmp_path / "data" / "chart-cache"
    entries = sorted(cache.iterdir())
    assert len(entries) == 4
    assert all(re.fullmatch(r"[0-9a-f]{64}\.png", entry.name) for entry in entries)
    assert all(entry.read_bytes().startswith(PNG_SIGNATURE) for entry in entries)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


def test_what_the_cache_and_the_published_folder_hold_chooses_no_written_path(
    report_page: Path, warehouse: WarehouseResource, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    forged = {"name": "../../pwned.png", "caption": "<script>", "png": base64.b64encode(b"x").decode()}
    for entry in (tmp_path / "data" / "reports").rglob("*.json"):
        entry.write_text(json.dumps(forged), encoding="utf-8")
    for position, entry in enumerate(sorted((tmp_path / "data" / "chart-cache").glob("*.png"))):
        if position % 2:
            entry.write_bytes(PNG_SIGNATURE + b"cut short")
        else:
            entry.unlink()
            entry.symlink_to(victim)
    planted = report_page.parent / "ho-so-ton.png"
    planted.unlink()
    planted.symlink_to(victim)
    assert materialize_report_alone(warehouse) == {"unchanged": False, "drawn": 4, "reused": 0}
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert not list(tmp_path.rglob("pwned.png"))
    assert {path.name for path in report_page.parent.glob("*.png")} == CHART_FILES
    for name in CHART_FILES:
        published = report_page.parent / name
        assert not published.is_symlink() and published.read_bytes().startswith(PNG_SIGNATURE)
    assert "<script>" not in report_page.read_text(encoding="utf-8")
    assert materialize_report_alone(warehouse) == {"unchanged": True}


def test_old_chart_cache_entries_are_pruned(
    report_page: Path, warehouse: WarehouseResource, tmp_path: Path
) -> None:
    cache = tmp_path / "data" / "chart-cache"
    stale = cache / f"{'0' * 64}.png"
    stale.write_bytes(PNG_SIGNATURE)
    other = cache / "notes.txt"
    other.write_text("kept", encoding="utf-8")
    eight_days_ago = time.time() - 8 * 86_400
    for path in (stale, other):
        os.utime(path, (eight_days_ago, eight_days_ago))
    with warehouse.begin() as conn:
        conn.execute(text("DELETE FROM meta.rendered_file"))  # forget the page, so that it is written again
    assert materialize_report_alone(warehouse)["unchanged"] is False
    assert not stale.exists() and other.exists()
    assert len(list(cache.glob("*.png"))) == 4


NASTY_TEXTS = {
    "unit": "<script>alert(1)</script>Phòng\x07Y",
    "official": '"><img src=x onerror=alert(2)> $\\frac$',
    "case": "' onmouseover='alert(3) &lt;b&gt;",
    "procedure": "$\\alpha$ </td></tr></table><h1>forged</h1>",
    "rule": "<b>rule</b>",
}
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "section", "figure",
             "img", "figcaption", "table", "tr", "th", "td", "span", "br", "div"}  # fmt: skip


class PageTags(HTMLParser):
    """The tags and attribute names of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes |= {name for name, _ in attrs}


def test_source_texts_are_shown_literally_in_the_page_and_charts(
    warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path / "data"))
    install_sources(warehouse)
    install_backlog(warehouse)
    install_work_lists(warehouse)
    with warehouse.begin() as conn:
        conn.execute(
            text("INSERT INTO raw.newsys_unit (unit_code, name, level, payload, fetched_at)"
                 " VALUES ('U3', :name, 'SO', '{}', now())"),
            {"name": NASTY_TEXTS["unit"]},
        )  # fmt: skip
        conn.execute(text("UPDATE staging.case SET last_official = :o"), {"o": NASTY_TEXTS["official"]})
        conn.execute(
            text("UPDATE mart.residue_case SET legacy_case_no = :c || egov_id, procedure_code = :p,"
                 " last_official = :o"),
            {"c": NASTY_TEXTS["case"], "p": NASTY_TEXTS["procedure"], "o": NASTY_TEXTS["official"]},
        )  # fmt: skip
        conn.execute(
            text("UPDATE mart.dq_offender SET record_key = :c || record_key, expectation = :r"),
            {"c": NASTY_TEXTS["case"], "r": NASTY_TEXTS["rule"]},
        )
    page = render_report(warehouse).read_text(encoding="utf-8")
    parser = PageTags()
    parser.feed(page)
    assert set(parser.tags) <= PAGE_TAGS and parser.tags.count("h1") == 1
    assert not {name for name in parser.attributes if name.startswith("on")}
    shown = html.unescape(page)
    for name, value in NASTY_TEXTS.items():
        assert value in shown, name
