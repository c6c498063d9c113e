"""The vendored Data Docs assets are the libraries, in the versions, that GX's page templates load."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import great_expectations

from expectations.docs_site import STATIC_DIR, TEMPLATES_DIR, project_assets

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
