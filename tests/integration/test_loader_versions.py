"""Version rules of landing: the latest version of a key wins, stale re-deliveries change nothing."""

from datetime import datetime

from sqlalchemy import text

from core.local_time import LOCAL_ZONE
from ingest.entities import NEWSYS_CASE
from ingest.loader import LandingCounts, land_stream, latest_versions
from ingest.newsys_case import parse_newsys_case
from resources.table_versions import current_version
from resources.warehouse import WarehouseResource
from tests.unit.test_ingest_parsing import newsys_case

KEY = "H19.22-250110-0001"


def version(updated: str, *, bad: bool = False, status: str = "10") -> dict:
    """A version of the same case updated at `updated`; a bad one has an unknown channel."""
    return newsys_case(NgayCapNhat=updated, TrangThaiHoSo=status, KenhThucHien="9" if bad else "2")


def land(warehouse: WarehouseResource, *records: dict) -> LandingCounts:
    """Land the records as one page."""
    return land_stream(
        warehouse.engine(),
        NEWSYS_CASE,
        [list(records)],
        lambda record: parse_newsys_case(record),
        run_id="test",
    )


def state(warehouse: WarehouseResource) -> tuple[str | None, str | None]:
    """The raw version's update time and the open quarantine version's update time of the case."""
    with warehouse.begin() as conn:
        raw = conn.execute(
            text("SELECT payload->>'NgayCapNhat' FROM raw.newsys_case WHERE case_no = :k"), {"k": KEY}
        ).scalar()
        bad = conn.execute(
            text("SELECT payload->>'NgayCapNhat' FROM raw.quarantine "
                 "WHERE record_key = :k AND resolved_at IS NULL"),
            {"k": KEY},
        ).scalar()
    return raw, bad


def test_key_moves_between_raw_and_quarantine_with_its_latest_version(warehouse: WarehouseResource) -> None:
    land(warehouse, version("20250101000000"))
    assert state(warehouse) == ("20250101000000", None)
    land(warehouse, version("20250102000000", bad=True))
    assert state(warehouse) == (None, "20250102000000")
    land(warehouse, version("20250101120000"))
    assert state(warehouse) == (None, "20250102000000"), "a stale valid version is ignored"
    land(warehouse, version("20250103000000"))
    assert state(warehouse) == ("20250103000000", None)
    land(warehouse, version("20250102000000", bad=True))
    assert state(warehouse) == ("20250103000000", None), "a stale bad version is ignored"


def test_same_version_again_changes_nothing(warehouse: WarehouseResource) -> None:
    land(warehouse, version("20250101000000"))
    again = land(warehouse, version("20250101000000"))
    assert (again.inserted, again.updated, again.quarantined) == (0, 0, 0)


def test_within_a_batch_the_newest_version_wins_and_ties_go_to_the_later_delivery() -> None:
    parse = lambda record: parse_newsys_case(record)  # noqa: E731
    newer, older = parse(version("20250102000000")), parse(version("20250101000000"))
    assert latest_versions([newer, older]) == [newer]
    first, second = parse(version("20250102000000", status="9")), parse(version("20250102000000"))
    assert latest_versions([first, second]) == [second]


def logged_and_version(warehouse: WarehouseResource) -> tuple[int, int]:
    """How many raw change-log entries there are, and the version of `raw.newsys_case`."""
    with warehouse.begin() as conn:
        logged = conn.execute(text("SELECT count(*) FROM raw.change_log")).scalar_one()
        return logged, current_version(conn, NEWSYS_CASE.table)


def stamp(warehouse: WarehouseResource) -> tuple[str, datetime, datetime]:
    """The payload's update time, `updated_at` and `fetched_at` of the landed case."""
    with warehouse.begin() as conn:
        row = conn.execute(
            text(
                "SELECT payload->>'NgayCapNhat', updated_at, fetched_at FROM raw.newsys_case"
                " WHERE case_no = :k"
            ),
            {"k": KEY},
        ).one()
    return row[0], row[1], row[2]


def test_a_newer_version_with_the_same_content_only_moves_the_stamp(warehouse: WarehouseResource) -> None:
    land(warehouse, version("20250101000000"))
    _, _, first_fetched = stamp(warehouse)
    before = logged_and_version(warehouse)
    again = land(warehouse, version("20250105000000"))
    assert (again.inserted, again.updated, again.restamped, again.quarantined) == (0, 0, 1, 0)
    assert logged_and_version(warehouse) == before, "a re-stamp logs nothing and keeps the table's version"
    text_stamp, updated_at, fetched_at = stamp(warehouse)
    assert text_stamp == "20250105000000"
    assert updated_at == datetime(2025, 1, 5, tzinfo=LOCAL_ZONE)
    assert fetched_at > first_fetched
    older = land(warehouse, version("20250103000000"))
    assert (older.updated, older.restamped) == (0, 0), "an older stamp changes nothing"
    assert stamp(warehouse)[0] == "20250105000000"


def test_a_newer_version_with_other_content_is_a_logged_update(warehouse: WarehouseResource) -> None:
    land(warehouse, version("20250101000000", status="9"))
    logged, table_version = logged_and_version(warehouse)
    changed = land(warehouse, version("20250102000000", status="10"))
    assert (changed.updated, changed.restamped) == (1, 0)
    assert logged_and_version(warehouse) == (logged + 1, table_version + 1)


def test_a_same_content_version_stamped_ahead_of_the_clock_is_a_change(warehouse: WarehouseResource) -> None:
    land(warehouse, version("20250101000000"))
    logged, table_version = logged_and_version(warehouse)
    ahead = land(warehouse, version("20990101000000"))
    assert (ahead.updated, ahead.restamped) == (1, 0), "the data-quality rule on the clock must see it"
    assert logged_and_version(warehouse) == (logged + 1, table_version + 1)
    back = land(warehouse, version("20250201000000"))
    assert (back.updated, back.restamped) == (0, 0), "an older version than the one landed changes nothing"
