"""The plan of the months a change-feed run changed, as runs: one per contiguous range of months, oldest
first, each over exactly its partitions at the plan's as_of; the monthly report after the latest range
only."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg

from core import asset_keys as keys
from pipelines.sensors import month_run_requests
from transform.changed_months import MonthsPlan, next_month

AS_OF = datetime(2026, 11, 15, 10, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
START, END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def test_months_become_contiguous_ranges_across_years() -> None:
    months = (date(2025, 3, 1), date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 11, 1))
    assert MonthsPlan(months).ranges() == [
        (date(2025, 3, 1), date(2025, 3, 1)),
        (date(2025, 11, 1), date(2026, 1, 1)),
        (date(2026, 11, 1), date(2026, 11, 1)),
    ]
    assert MonthsPlan().ranges() == []
    assert next_month(date(2025, 12, 1)) == date(2026, 1, 1)


def test_one_run_per_range_and_the_report_after_the_latest() -> None:
    plan = MonthsPlan((date(2025, 3, 1), date(2025, 4, 1), date(2026, 11, 1)))
    first, last = month_run_requests("run-1", AS_OF, plan)
    assert (first.tags[START], first.tags[END], last.tags[START], last.tags[END]) == (
        "2025-03-01", "2025-04-01", "2026-11-01", "2026-11-01",
    )  # fmt: skip
    assert {first.tags["egov_sync/as_of"], last.tags["egov_sync/as_of"]} == {AS_OF.isoformat()}
    assert first.run_key != last.run_key and "run-1" in first.run_key
    assert keys.MONTHLY_REPORT not in (first.asset_selection or [])
    assert set(last.asset_selection or []) == {keys.INDICATOR_MONTHLY, keys.SCORE766_MONTHLY,
                                               keys.MONTHLY_REPORT}  # fmt: skip


def test_a_full_plan_is_one_run_over_every_month_and_months_before_the_partitions_fall_in_the_first() -> None:
    (full,) = month_run_requests("run-2", AS_OF, MonthsPlan(full="the indicator build has not run yet"))
    assert (full.tags[START], full.tags[END]) == ("2019-01-01", "2026-11-01")
    assert full.asset_selection is None
    (early,) = month_run_requests("run-3", AS_OF, MonthsPlan((date(2018, 12, 1), date(2019, 1, 1))))
    assert (early.tags[START], early.tags[END]) == ("2019-01-01", "2019-01-01")
    assert month_run_requests("run-4", AS_OF, MonthsPlan()) == []


def test_the_months_sensor_is_on_by_default_and_its_runs_use_the_project_executor() -> None:
    from pipelines.definitions import defs
    from pipelines.executors import egov_sync_executor

    sensor = defs.resolve_sensor_def("changed_months_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    job = defs.resolve_job_def("changed_months_sync")
    assert job.executor_def is egov_sync_executor
    feed = defs.resolve_job_def("newsys_changes_sync").asset_layer.selected_asset_keys
    assert not feed & {keys.INDICATOR_MONTHLY, keys.SCORE766_MONTHLY, keys.MONTHLY_REPORT}


def test_a_plan_starts_from_the_later_of_its_cursor_and_the_indicator_build_s() -> None:
    from transform.builds import Cursor
    from transform.changed_months import full_reason, start_cursor
    from transform.indicators import INDICATOR_MONTHLY

    version = INDICATOR_MONTHLY.code_version()
    nightly = Cursor(100, AS_OF, None, date(2019, 1, 1), version)
    planned = Cursor(140, AS_OF.replace(hour=11), None, date(2019, 1, 1), version)
    assert start_cursor(nightly, planned) is planned
    assert start_cursor(nightly, None) is nightly
    after_nightly = Cursor(150, AS_OF.replace(hour=12), None, None, version)
    assert start_cursor(after_nightly, planned) is after_nightly
    assert full_reason(nightly, full_requested=False) is None
    assert full_reason(None, full_requested=False) == "the indicator build has not run yet"
    assert "code changed" in (full_reason(Cursor(100, AS_OF, None, None, "old"), full_requested=False) or "")
    assert "full rebuild requested" in (full_reason(nightly, full_requested=True) or "")
