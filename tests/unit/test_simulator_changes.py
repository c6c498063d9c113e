"""Changes after the anchor, the event log, concurrent updates, and the planted intentions vs the oracle."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from simulator.events import EventsPruned
from simulator.simtime import DAY, parse_egov_second, parse_new_second
from simulator.world import World, generate_world
from tests.oracle.expected import (
    expected_petition_dq_offenders,
    expected_reconciliation,
    petition_quarantine_truth,
    quarantine_truth,
    truth_for_world,
)
from tests.oracle.planted import planted_of


def fresh() -> World:
    """A new scale-1000 world."""
    return generate_world(1000, 7)


def by_key(world: World) -> dict[str, dict]:
    """New-system payloads by MaHoSo."""
    return {r["MaHoSo"]: r for r in world.newsys_records() if r.get("MaHoSo")}


def test_apply_changes_is_deterministic() -> None:
    a, b = fresh(), fresh()
    for _ in range(3):
        assert a.apply_changes(80) == b.apply_changes(80)
    assert a.newsys_records() == b.newsys_records() and a.egov_records() == b.egov_records()
    assert fresh().apply_changes(50, seed=1) == fresh().apply_changes(50, seed=1)


def test_apply_changes_reports_exactly_what_changed() -> None:
    world = fresh()
    before_new, before_egov = by_key(world), {r.get("id"): r for r in world.egov_records()}
    before_officials = {o["TenDangNhap"]: o for o in world.officials()}
    start = world.clock
    summary = world.apply_changes(100)
    assert summary.clock == world.clock == start + timedelta(hours=1)
    after_new = by_key(world)
    changed = {k for k, r in after_new.items() if before_new.get(k) != r}
    assert changed == summary.newsys_keys
    assert len(summary.newsys_keys) >= 60
    created = set(after_new) - set(before_new)
    assert created and created <= summary.newsys_keys
    assert any(after_new[k]["NguonHoSo"] == "EGOV" for k in created)
    assert any(after_new[k]["DaXoa"] == "1" for k in summary.newsys_keys)
    low, high = int(start.strftime("%Y%m%d%H%M%S")), int(world.clock.strftime("%Y%m%d%H%M%S"))
    assert all(low < int(after_new[k]["NgayCapNhat"]) <= high for k in summary.newsys_keys)
    after_egov = {r.get("id"): r for r in world.egov_records()}
    assert {i for i, r in after_egov.items() if before_egov[i] != r} == summary.egov_ids
    for i in summary.egov_ids:
        updated = after_egov[i]["ngayCapNhat"], before_egov[i]["ngayCapNhat"]
        assert parse_egov_second(updated[0]) > parse_egov_second(updated[1])
    for name in summary.official_names:
        assert before_officials[name]["LoaiTaiKhoan"] == "NOI_BO"
        assert {o["TenDangNhap"]: o for o in world.officials()}[name]["LoaiTaiKhoan"] == "VNEID"
    assert summary.official_names


def test_changes_emit_events_for_every_new_system_change() -> None:
    world = fresh()
    _, last = world.events_after(10**9, 10)
    summary = world.apply_changes(100)
    events, new_last = world.events_after(last, 1000)
    assert new_last == last + len(events)
    assert [e["seq"] for e in events] == list(range(last + 1, new_last + 1))
    assert {e["key"] for e in events if e["type"].startswith("hoso.")} == summary.newsys_keys
    assert {e["key"] for e in events if e["type"] == "canbo.updated"} == summary.official_names
    assert {e["type"] for e in events} >= {"hoso.created", "hoso.updated", "hoso.deleted", "canbo.updated"}


def test_event_log_answers_gone_and_empty() -> None:
    world = fresh()
    events, last = world.events_after(10**9, 10)
    assert events == [] and last > 1
    with pytest.raises(EventsPruned):
        world.events_after(0, 10)
    oldest = world.events.oldest_seq()
    assert world.events_after(oldest - 1, 5)[0][0]["seq"] == oldest
    assert world.events_after(last, 5) == ([], last)
    world.expire_events(last)
    with pytest.raises(EventsPruned):
        world.events_after(oldest - 1, 5)
    assert world.events_after(last - 1, 5)[0][0]["seq"] == last


def test_events_are_kept_seven_days_of_simulated_time() -> None:
    world = fresh()
    world.apply_changes(20)
    oldest = world.events.oldest_seq()
    world.tick(7 * DAY)
    world.apply_changes(20)
    assert world.events.oldest_seq() > oldest
    with pytest.raises(EventsPruned):
        world.events_after(oldest, 10)


def test_concurrent_update_moves_a_served_record_to_the_end_of_the_feed() -> None:
    world = fresh()
    page, served = world.cases_page(None, None, 50)
    key = world.concurrent_update("newsys", served, random.Random(1))
    assert key in {r.get("MaHoSo") for r in page["items"]}
    feed = world.newsys_records()
    assert feed[-1]["MaHoSo"] == key
    assert parse_new_second(feed[-1]["NgayCapNhat"]) > parse_new_second(feed[-2]["NgayCapNhat"])
    _, egov_served = world.egov_page(1, 50, None)
    egov_id = world.concurrent_update("egov", egov_served, random.Random(2))
    record = next(r for r in world.egov_records() if r.get("id") == egov_id)
    assert record["ngayCapNhat"].startswith("01/11/2026 00:00:0")


def check_planted_against_oracle(world: World) -> None:
    """The generator's intentions equal what the independent oracle reads from the payloads."""
    truth = truth_for_world(world, as_of=world.clock, pii_key="test-key")
    planted = planted_of(world)
    mine = {(b["source"], b["entity"], b["key"]): [b["reason"]] for b in planted["bad"]}
    assert mine == quarantine_truth(truth) | petition_quarantine_truth(truth)
    assert planted["petition_dq_offenders"] == expected_petition_dq_offenders(truth)
    rows = expected_reconciliation(truth)
    extra = ("duplicate_migrated", "orphan_migrated")
    backlog = {r["legacy_case_no"]: r["outcome"] for r in rows if r["outcome"] not in extra}
    assert backlog == planted["backlog_outcome"]
    assert {r["new_case_id"]: r["outcome"] for r in rows if r["outcome"] in extra} == planted["extra_outcome"]


def test_planted_intentions_match_the_oracle_before_and_after_changes() -> None:
    world = fresh()
    check_planted_against_oracle(world)
    residue = Counter(planted_of(world)["backlog_outcome"].values())["residue"]
    for _ in range(3):
        world.apply_changes(100)
    check_planted_against_oracle(world)
    assert Counter(planted_of(world)["backlog_outcome"].values())["residue"] < residue
