"""The world's "now" is a parameter: the world ends at it, is lived in up to it, and shifts with it."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipelines.cli import build_parser
from simulator.simtime import (
    CUTOVER,
    DEFAULT_NOW,
    EARLIEST_NOW,
    LATEST_NOW,
    from_datetime,
    now_argument,
    parse_egov_second,
    parse_moment,
    parse_new_second,
    to_datetime,
    world_now,
)
from simulator.world import World, generate_world
from tests.unit import test_simulator_world as world_checks
from tests.unit.test_simulator_world import clean, digest, valid_egov, valid_new

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MID_JULY = datetime(2026, 7, 15, 14, 30, tzinfo=LOCAL)
MID_SEPTEMBER = datetime(2026, 9, 14, 14, 30, tzinfo=LOCAL)
OPEN_STATUSES = {"2", "4", "5", "6"}
ENDED_STATUSES = {"7", "8", "9", "10"}
RECENT = 4 * 86_400
EARLIEST = to_datetime(EARLIEST_NOW)


@pytest.fixture(scope="module")
def july() -> World:
    """The scale-1000 world of seed 7 ending in the middle of July 2026."""
    return generate_world(1000, 7, MID_JULY)


def moment(text: str) -> int | None:
    """A served new-system time as a simulated second (None when empty)."""
    return parse_new_second(clean(text)) if clean(text) else None


def event_times(world: World) -> list[int]:
    """Every served time at which something happened (due dates excluded: they lie ahead by nature)."""
    times: list[int] = []
    for r in valid_new(world):
        for name in ("NgayTiepNhan", "NgayKetThucXuLy", "NgayTuChoi", "NgayTra", "NgayCapNhat"):
            times.append(moment(r[name]) or 0)
        times += [moment(step["ThoiDiemXuLy"]) or 0 for step in r["QuaTrinhXuLy"]]
        for supplement in r["DanhSachHoSoBoSung"] or []:
            times += [moment(supplement[name]) or 0 for name in ("NgayYeuCauBoSung", "NgayTiepNhanBoSung")]
        times += [moment(letter["NgayLap"]) or 0 for letter in r["PhieuXinLoi"] or []]
    for r in valid_egov(world):
        for name in ("ngayNhan", "ngayKetThuc", "ngayTra", "ngayCapNhat"):
            times.append(parse_egov_second(clean(r[name])) or 0 if clean(r[name]) else 0)
    times += [moment(o["NgayCapNhat"]) or 0 for o in world.officials() if parse_new_second(o["NgayCapNhat"])]
    times += world.events.times
    return times


def case_life(r: dict[str, Any]) -> tuple[int, int | None]:
    """When a new-system case was received and when it stopped being pending (None while open)."""
    received = moment(r["NgayTiepNhan"])
    assert received is not None
    if clean(r["TrangThaiHoSo"]) == "3":
        return received, moment(r["NgayTuChoi"])
    if clean(r["TrangThaiHoSo"]) in ENDED_STATUSES:
        return received, moment(r["NgayKetThucXuLy"])
    return received, None


def month_counts(world: World, start: date, end: int) -> dict[str, int]:
    """Cases received, finished, and pending at the end, from the day `start` to the second `end`."""
    first = from_datetime(datetime(start.year, start.month, start.day, tzinfo=LOCAL))
    received = finished = pending = 0
    for r in valid_new(world):
        if clean(r["TrangThaiHoSo"]) == "1" or r["DaXoa"] == "1":
            continue
        got, ended = case_life(r)
        received += first <= got < end
        finished += ended is not None and first <= ended < end
        pending += first <= got < end and (ended is None or ended >= end)
    return {"received": received, "finished": finished, "pending": pending}


@pytest.mark.parametrize(
    ("now", "seed"),
    [(MID_JULY, 7), (EARLIEST, 7), (EARLIEST, 8), (to_datetime(DEFAULT_NOW), 7)],
)
def test_nothing_happens_after_now(now: datetime, seed: int) -> None:
    world = generate_world(1000, seed, now)
    assert world.clock == now
    times = event_times(world)
    assert times and max(times) < from_datetime(now)


def test_the_previous_month_and_the_current_one_up_to_now_are_lived_in(july: World) -> None:
    now = from_datetime(MID_JULY)
    june = month_counts(july, date(2026, 6, 1), from_datetime(datetime(2026, 7, 1, tzinfo=LOCAL)))
    may = month_counts(july, date(2026, 5, 1), from_datetime(datetime(2026, 6, 1, tzinfo=LOCAL)))
    current = month_counts(july, date(2026, 7, 1), now)
    assert min(june.values()) > 0 and min(current.values()) > 0, (june, current)
    assert june["received"] >= 0.7 * may["received"], (june, may)
    live = [r for r in valid_new(july) if r["DaXoa"] == "0"]
    open_now = [r for r in live if clean(r["TrangThaiHoSo"]) in OPEN_STATUSES]
    assert any(moment(r["NgayTiepNhan"]) >= now - RECENT for r in open_now)


def test_same_scale_seed_and_now_give_the_same_world(july: World) -> None:
    assert digest(generate_world(1000, 7, MID_JULY)) == digest(july)
    assert digest(generate_world(1000, 7, MID_JULY.replace(tzinfo=None))) == digest(july)
    assert digest(generate_world(1000, 7, MID_JULY + timedelta(days=1))) != digest(july)


def test_no_now_is_the_default_now() -> None:
    assert digest(generate_world(1000, 7)) == digest(generate_world(1000, 7, to_datetime(DEFAULT_NOW)))


def test_a_later_now_shifts_the_world_in_time(july: World) -> None:
    september = generate_world(1000, 7, MID_SEPTEMBER)
    for world, now in ((july, MID_JULY), (september, MID_SEPTEMBER)):
        received = [moment(r["NgayTiepNhan"]) for r in valid_new(world) if clean(r["NgayTiepNhan"])]
        natural = [moment(r["NgayTiepNhan"]) for r in valid_new(world)
                   if r["NguonHoSo"] == "MOI" and clean(r["NgayTiepNhan"])]
        assert from_datetime(now) - RECENT <= max(received) < from_datetime(now)
        assert min(natural) >= CUTOVER
    in_between = month_counts(september, date(2026, 7, 16), from_datetime(MID_SEPTEMBER))
    assert in_between["received"] > 0 and in_between["finished"] > 0
    assert month_counts(july, date(2026, 7, 16), from_datetime(MID_SEPTEMBER))["received"] == 0


def test_the_planted_cases_do_not_depend_on_now() -> None:
    earliest = generate_world(1000, 7, EARLIEST)
    world_checks.test_every_backlog_and_extra_outcome_is_planted(earliest)
    world_checks.test_every_kind_of_bad_input_is_planted(earliest)
    world_checks.test_every_expectation_has_offenders(earliest)


def test_changes_happen_after_now() -> None:
    world = generate_world(1000, 7, MID_JULY)
    summary = world.apply_changes(50)
    assert summary.clock == MID_JULY + timedelta(hours=1)
    changed = [r for r in world.newsys_records() if r.get("MaHoSo") in summary.newsys_keys]
    assert changed and all(moment(r["NgayCapNhat"]) > from_datetime(MID_JULY) for r in changed)


def test_now_is_read_as_iso_8601_local_time_unless_it_has_an_offset() -> None:
    assert parse_moment("2026-07-03") == datetime(2026, 7, 3, tzinfo=LOCAL)
    assert parse_moment("2026-07-03T08:15:00") == datetime(2026, 7, 3, 8, 15, tzinfo=LOCAL)
    assert parse_moment("2026-07-03T01:15:00+00:00") == datetime(2026, 7, 3, 8, 15, tzinfo=LOCAL)
    assert world_now(datetime(2026, 7, 3, 8, 15)) == world_now(datetime(2026, 7, 3, 8, 15, tzinfo=LOCAL))
    assert world_now(None) == DEFAULT_NOW
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_moment("3/7/2026")
    for outside in (to_datetime(EARLIEST_NOW - 1), to_datetime(LATEST_NOW + 1)):
        with pytest.raises(ValueError, match="now must be within"):
            generate_world(1000, 7, outside)
    with pytest.raises(argparse.ArgumentTypeError, match="now must be within"):
        now_argument("2025-06-30")


def test_demo_simulate_and_ui_take_now() -> None:
    for command in ("demo", "simulate", "ui"):
        assert build_parser().parse_args([command]).now is None
        given = build_parser().parse_args([command, "--now", "2026-07-03"]).now
        assert given == datetime(2026, 7, 3, tzinfo=LOCAL)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["demo", "--now", "yesterday"])
