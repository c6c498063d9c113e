"""The Data Docs paths found without GX are those GX files the validation pages under."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

from expectations.rules import SUITES
from expectations.validation import run_folders, run_identifier


def test_run_folders_are_gx_run_identifier_folders() -> None:
    """A run's folders match `RunIdentifier.to_tuple` at any offset and with microseconds."""
    for run_at in (
        datetime(2026, 11, 15, 9, 30, tzinfo=timezone(timedelta(hours=7))),
        datetime(2026, 12, 31, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=7))),
        datetime(2025, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    ):
        expected = RunIdentifier(run_name=f"egov-sync {run_at.isoformat()}", run_time=run_at).to_tuple()
        assert run_folders(run_at) == expected
        assert run_identifier(run_at).to_tuple() == expected


def test_suite_folders_are_gx_suite_identifier_folders() -> None:
    """Each suite's folder is the one `ExpectationSuiteIdentifier.to_tuple` names."""
    for suite in SUITES:
        assert tuple(suite.split(".")) == ExpectationSuiteIdentifier(name=suite).to_tuple()


def test_check_metadata_does_not_import_gx() -> None:
    """A check reporting results that GX did not compute in this process (carried over) never imports it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from datetime import datetime, timezone\n"
        "from assets.quality import INTEGRITY_RULES, figures_metadata\n"
        "figures_metadata(INTEGRITY_RULES[0], datetime.now(timezone.utc), 10, 1, ['k'])\n"
        "print('great_expectations' in sys.modules)\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"
