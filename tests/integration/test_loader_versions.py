"""Version rules of landing: the latest version of a key wins, stale re-deliveries change nothing."""

from sqlalchemy import text

from ingest.entities import NEWSYS_CASE
from ingest.loader import LandingCounts, land_stream, latest_versions
from ingest.newsys_case import parse_newsys_case
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
