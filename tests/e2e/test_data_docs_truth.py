"""The Data Docs the nightly job built from the simulator open offline, with the run's suites and results."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

from expectations.rules import BUSINESS_RULES, SUITES, rules_of_suite
from expectations.validation import data_docs_index, validation_page
from tests.e2e.conftest import SyncedWarehouse
from tests.integration.test_data_docs_offline import (
    RecordingHandler,
    needs_chromium,
    page_url,
    rendered_dom,
    served,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(synced: SyncedWarehouse) -> Path:
    """The Data Docs site of the nightly run on the simulator."""
    return synced.data_dir / "gx"


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[ThreadingHTTPServer]:
    """The site served on 127.0.0.1, recording what the browser asks for."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(RecordingHandler, directory=str(site)))
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    thread.join()
    httpd.server_close()


@needs_chromium
def test_index_of_the_simulator_run_lists_its_suites_and_validations_offline(
    synced: SyncedWarehouse, site: Path, server: ThreadingHTTPServer, tmp_path: Path
) -> None:
    dom = rendered_dom(page_url(server, site, data_docs_index(site)), tmp_path)
    assert dom.has_class("bootstrap-table")
    rows = {unquote(href) for href in dom.attribute_values("tr", "data-href") if "validations/" in href}
    for suite in SUITES:
        assert suite in dom.text
        assert validation_page(suite, synced.as_of, site).relative_to(site).as_posix() in rows


@needs_chromium
def test_business_rules_page_of_the_simulator_run_names_every_rule_offline(
    synced: SyncedWarehouse, site: Path, server: ThreadingHTTPServer, tmp_path: Path
) -> None:
    before = len(server.requests)  # type: ignore[attr-defined]
    dom = rendered_dom(page_url(server, site, validation_page(BUSINESS_RULES, synced.as_of, site)), tmp_path)
    assert "Expectation Validation Result" in dom.text
    for rule in rules_of_suite(BUSINESS_RULES):
        assert rule.description in dom.text
    requests = served(server, before)
    assert requests and all(status < 400 for status in requests.values()), requests
