"""The monthly HTML report: one in-process run with the indicators, and rendering in headless Chromium."""

import re
import subprocess
from pathlib import Path

import dagster as dg
import pytest

from assets.indicators import indicator_766_estimate, indicator_monthly
from assets.report import monthly_report
from core.asset_keys import MONTHLY_REPORT as REPORT
from pipelines.run_tags import full_range_run_tags
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from tests.indicator_data import AS_OF, install_backlog, install_sources

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
        [indicator_monthly, indicator_766_estimate, monthly_report],
        resources={"warehouse": warehouse, "settings": PipelineSettings(pii_hash_key="test-key")},
        tags=full_range_run_tags(AS_OF),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == REPORT]
    return Path(event.materialization.metadata["report"].value)


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
    return render_report(warehouse)


def test_report_is_self_contained(report_page: Path) -> None:
    assert report_page.parent == report_page.parent.parent.parent / "reports" / "2025-08"
    page = report_page.read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 4
    assert not re.search(r"<script|<link|src=\"http", page)
    assert sorted(path.name for path in report_page.parent.glob("*.png")) == [
        "chi-so-toan-so.png",
        "ho-so-ton.png",
        "ho-so-tre-han.png",
        "xu-huong-12-thang.png",
    ]
    assert "ƯỚC TÍNH" in page


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
    assert "Báo cáo kết quả giải quyết thủ tục hành chính – tháng 08/2025" in text
    for label in (
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "Tỷ lệ hồ sơ nộp trực tuyến",
        "Tỷ lệ hài lòng của người dân",
    ):
        assert label in text
    assert "Toàn Sở (ALL)" in text
    assert '<td class="">alice</td>' in text  # the official with the late case in August
    assert text.count("<img") == 4


def test_report_renders_with_an_empty_warehouse(
    warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_SYNC_DATA_DIR", str(tmp_path / "data"))
    page = render_report(warehouse)
    assert page.parent.name == "2025-08"
    text = page.read_text(encoding="utf-8")
    assert "Báo cáo kết quả giải quyết thủ tục hành chính – tháng –" in text
    assert text.count('src="data:image/png;base64,') == 4
