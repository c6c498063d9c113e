"""Data Docs open on a machine without internet: every asset is local and the lists build in the browser."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import great_expectations
import pytest

from expectations.rules import BUSINESS_RULES, SUITES, rules_of_suite
from expectations.run import run_data_quality
from expectations.validation import data_docs_index, validation_page
from resources.embedded_postgres import sqlalchemy_url
from resources.scratch_databases import create_database, drop_database
from resources.warehouse import WarehouseResource
from tests.integration.dq_rows import CUTOVER, T0, add_case, add_procedure

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (`./dev test` installs Debian's chromium when run as root)",
)
OFFLINE = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
GX_TEMPLATES = Path(great_expectations.__file__).parent / "render" / "view" / "templates"
ASSET_TAG = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", re.I)
CSS_URL = re.compile(r"""(?:url\(|@import)\s*["']?\s*([^"')\s;]+)""", re.I)
REMOTE = re.compile(r"^(?:https?:)?//", re.I)


class Dom(HTMLParser):
    """The elements (tag and attributes) and the text of an HTML document."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Keep every element."""
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        """Keep every piece of text."""
        self.chunks.append(data)

    @property
    def text(self) -> str:
        """The text of the document, whitespace collapsed."""
        return " ".join(" ".join(self.chunks).split())

    def attribute_values(self, tag: str, name: str) -> list[str]:
        """The values of attribute `name` on every `tag` element that has it."""
        return [attrs[name] or "" for element, attrs in self.elements if element == tag and name in attrs]

    def has_class(self, class_name: str) -> bool:
        """Whether an element carries the class."""
        return any(class_name in (attrs.get("class") or "").split() for _, attrs in self.elements)


class RecordingHandler(SimpleHTTPRequestHandler):
    """Serves the site and records every request with its status."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Record the request instead of printing it."""
        self.server.requests.append((unquote(urlsplit(self.path).path), int(code)))  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def site(pg_admin_uri: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The Data Docs of one validation run over a few cases, one of which fails a business rule."""
    name = create_database(pg_admin_uri, template=template_db)
    warehouse = WarehouseResource(url=sqlalchemy_url(pg_admin_uri, name))
    with warehouse.begin() as conn:
        add_procedure(conn, "P1")
        add_case(conn, "N-OK")
        add_case(conn, "N-BAD", has_result=False)
    directory = tmp_path_factory.mktemp("gx")
    run_data_quality(warehouse.engine(), CUTOVER, T0, directory)
    yield directory
    drop_database(pg_admin_uri, name)


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[ThreadingHTTPServer]:
    """The site served over HTTP on 127.0.0.1, recording what the browser asks for."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(RecordingHandler, directory=str(site)))
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    thread.join()
    httpd.server_close()


def page_url(server: ThreadingHTTPServer, site: Path, page: Path) -> str:
    """The address of a page of the site on the recording server."""
    return f"http://127.0.0.1:{server.server_port}/{quote(page.relative_to(site).as_posix())}"


def rendered_dom(url: str, profile: Path) -> Dom:
    """The page's DOM after its scripts ran in headless Chromium, with every non-local host unreachable."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        f"--host-resolver-rules={OFFLINE}", f"--user-data-dir={profile}", "--dump-dom", url,
    ]
    return Dom(subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout)


def served(server: ThreadingHTTPServer, since: int) -> dict[str, int]:
    """Path and status of every request the server answered after the first `since`."""
    return dict(server.requests[since:])  # type: ignore[attr-defined]


@needs_chromium
def test_index_lists_suites_and_validation_results_offline(
    site: Path, server: ThreadingHTTPServer, tmp_path: Path
) -> None:
    before = len(server.requests)  # type: ignore[attr-defined]
    dom = rendered_dom(page_url(server, site, data_docs_index(site)), tmp_path)

    assert dom.has_class("bootstrap-table")  # bootstrap-table's script built the lists
    rows = [unquote(href) for href in dom.attribute_values("tr", "data-href") if "validations/" in href]
    assert sorted(rows) == sorted(
        validation_page(suite, T0, site).relative_to(site).as_posix() for suite in SUITES
    )
    links = dom.attribute_values("a", "href")
    for suite in SUITES:
        assert f"expectations/{suite}.html" in links
        assert suite in dom.text
    requests = served(server, before)
    assert all(status < 400 for status in requests.values()), requests
    assert "/static/vendor/fontawesome-free-6.6.0/webfonts/fa-solid-900.woff2" in requests


@needs_chromium
def test_validation_page_shows_its_expectations_offline(
    site: Path, server: ThreadingHTTPServer, tmp_path: Path
) -> None:
    page = validation_page(BUSINESS_RULES, T0, site)
    before = len(server.requests)  # type: ignore[attr-defined]
    dom = rendered_dom(page_url(server, site, page), tmp_path)

    assert dom.has_class("bootstrap-table")
    assert "Expectation Validation Result" in dom.text
    for rule in rules_of_suite(BUSINESS_RULES):
        assert rule.description in dom.text
    assert "1 unexpected values found" in dom.text  # the planted case without a result
    requests = served(server, before)
    assert all(status < 400 for status in requests.values()), requests
    assert "/static/vendor/jquery-3.7.1/jquery.min.js" in requests


def asset_references(path: Path) -> list[str]:
    """The addresses a file loads: script, stylesheet and image sources, CSS `url(...)` and `@import`."""
    text = path.read_bytes().decode("latin-1")
    return ASSET_TAG.findall(text) + CSS_URL.findall(text)


def test_reference_scan_finds_gx_remote_assets() -> None:
    remote = [ref for ref in asset_references(GX_TEMPLATES / "js_script_imports.j2") if REMOTE.match(ref)]
    assert "https://code.jquery.com/jquery-3.7.1.min.js" in remote


def test_built_site_refers_to_local_files_only(site: Path) -> None:
    files = [path for path in site.rglob("*") if path.is_file()]
    assert {"index.html", "expectations", "validations", "static"} <= {path.name for path in site.iterdir()}
    remote = [(str(path.relative_to(site)), ref) for path in files for ref in asset_references(path)]
    assert [(name, ref) for name, ref in remote if REMOTE.match(ref)] == []
    missing = [
        (str(path.relative_to(site)), ref)
        for path in files
        if path.suffix in {".html", ".css"}
        for ref in asset_references(path)
        if not ref.startswith("data:") and not (path.parent / unquote(urlsplit(ref).path)).is_file()
    ]
    assert missing == []


def test_validation_page_of_each_suite_in_the_run(site: Path) -> None:
    for suite in SUITES:
        page = validation_page(suite, T0, site)
        assert page.is_file() and page.relative_to(site).parts[:2] == ("validations", suite)
    assert validation_page(BUSINESS_RULES, CUTOVER, site) == data_docs_index(site)  # no run then
