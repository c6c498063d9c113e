"""The vendored Data Docs assets are the libraries, in the versions, that GX's page templates load; old
validation pages are pruned; pages are addressed under the URL the site is served at."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time
from pathlib import Path

import great_expectations
import pytest

from expectations.docs_site import (
    SECONDS_PER_DAY,
    STATIC_DIR,
    TEMPLATES_DIR,
    project_assets,
    prune_validation_pages,
)
from expectations.validation import docs_address, page_url
from resources.settings import data_docs_keep_days, data_docs_url

GX_TEMPLATES = Path(great_expectations.__file__).parent / "render" / "view" / "templates"
GX_PAGES = ("page.j2", "index_page.j2", "js_script_imports.j2")
REMOTE_ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)="(https?://[^"]+)"([^>]*)>""")
INTEGRITY = re.compile(r'integrity="sha384-([^"]+)"')
# Every library GX's templates load from a public network, and the vendored copy of that file.
VENDORED = {
    "https://cdn.jsdelivr.net/npm/vega@5":
        "vega-5.33.1/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5":
        "vega-lite-5.23.0/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6":
        "vega-embed-6.29.0/vega-embed.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "fontawesome-free-6.6.0/css/all.min.css",
    "https://code.jquery.com/jquery-3.7.1.min.js":
        "jquery-3.7.1/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js-1.12.9/umd/popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap-4.3.1/js/bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap-4.3.1/css/bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table-1.19.1/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table-1.19.1/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table-1.19.0/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table-1.19.0/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker-1.9.0/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker-1.9.0/css/bootstrap-datepicker.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark-1.1.0/css/bootstrap-prefers-dark.min.css",
}


def gx_remote_assets() -> dict[str, str]:
    """The scripts and stylesheets GX's page templates load from a public network, with their tag's rest."""
    pages = [(GX_TEMPLATES / name).read_text() for name in GX_PAGES]
    return {url: rest for page in pages for url, rest in REMOTE_ASSET.findall(page)}


def project_template_text() -> str:
    """Every template of the project, concatenated."""
    return "\n".join(path.read_text() for path in sorted(TEMPLATES_DIR.glob("*.j2")))


def test_every_remote_asset_of_gx_has_a_vendored_copy_the_templates_load() -> None:
    assert set(gx_remote_assets()) == set(VENDORED)
    templates = project_template_text()
    for path in VENDORED.values():
        assert (STATIC_DIR / "vendor" / path).is_file()
        assert "{{ vendor }}" + path in templates


def test_vendored_scripts_match_the_integrity_hashes_gx_gives() -> None:
    pinned = {url: INTEGRITY.search(rest) for url, rest in gx_remote_assets().items()}
    hashes = {url: match.group(1) for url, match in pinned.items() if match}
    assert len(hashes) == 2  # Popper and Bootstrap's script
    for url, expected in hashes.items():
        content = (STATIC_DIR / "vendor" / VENDORED[url]).read_bytes()
        assert base64.b64encode(hashlib.sha384(content).digest()).decode() == expected


def test_font_awesome_fonts_are_vendored() -> None:
    css = STATIC_DIR / "vendor" / "fontawesome-free-6.6.0" / "css" / "all.min.css"
    fonts = set(re.findall(r"url\(([^)]+)\)", css.read_text()))
    assert len(fonts) == 8
    assert all((css.parent / font).is_file() for font in fonts)


def test_project_templates_load_nothing_remote() -> None:
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", project_template_text())
    styles = (STATIC_DIR / "styles" / "data_docs_default_styles.css").read_text()
    assert "url(" not in styles


def test_the_site_gets_every_static_file_but_the_readme() -> None:
    names = {path.relative_to(STATIC_DIR).as_posix() for path in project_assets()}
    assert "README.md" not in names
    assert "styles/data_docs_default_styles.css" in names
    assert {f"vendor/{path}" for path in VENDORED.values()} <= names


def validation_page_at(site: Path, suite: str, run_time: str, age_days: float) -> Path:
    """A validation page as GX files it, written `age_days` ago."""
    page = site / "validations" / suite / f"egov-sync {run_time}" / run_time / "batch.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("<html></html>", encoding="utf-8")
    written = time.time() - age_days * SECONDS_PER_DAY
    os.utime(page, (written, written))
    return page


def test_old_validation_pages_are_pruned_but_each_suites_newest_stays(tmp_path: Path) -> None:
    old = validation_page_at(tmp_path, "business_rules", "20260101T000000.000000Z", 40)
    recent = validation_page_at(tmp_path, "business_rules", "20260301T000000.000000Z", 2)
    only_old = validation_page_at(tmp_path, "fact_case_integrity", "20260101T000000.000000Z", 40)
    index = tmp_path / "index.html"
    index.write_text("<html></html>", encoding="utf-8")
    assert prune_validation_pages(tmp_path, keep_days=30) == [old]
    assert not old.exists() and not old.parents[1].exists()
    assert recent.exists() and only_old.exists() and index.exists()
    assert prune_validation_pages(tmp_path, keep_days=30) == []


def test_pages_are_addressed_under_the_served_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = validation_page_at(tmp_path, "business_rules", "20260301T000000.000000Z", 0)
    monkeypatch.delenv("EGOV_SYNC_DATA_DOCS_URL", raising=False)
    assert page_url(page, tmp_path) is None and docs_address(page, tmp_path) == str(page)
    monkeypatch.setenv("EGOV_SYNC_DATA_DOCS_URL", "https://docs.example.vn/gx/")
    assert page_url(page, tmp_path) == (
        "https://docs.example.vn/gx/validations/business_rules/egov-sync%2020260301T000000.000000Z/"
        "20260301T000000.000000Z/batch.html"
    )


@pytest.mark.parametrize(("name", "value"), [
    ("EGOV_SYNC_DATA_DOCS_URL", "file:///srv/gx"), ("EGOV_SYNC_DATA_DOCS_KEEP_DAYS", "0"),
    ("EGOV_SYNC_DATA_DOCS_KEEP_DAYS", "a week"),
])
def test_bad_data_docs_settings_name_their_variable(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        data_docs_url() if name.endswith("URL") else data_docs_keep_days()
