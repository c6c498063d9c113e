"""Planted petitions: one or more of every special kind the data rules and the scorecard must tell apart."""

from __future__ import annotations

from collections.abc import Callable

from simulator.catalog import PROCEDURE_BY_CODE, current_unit
from simulator.gen_base import Builder
from simulator.gen_pakn import CHANNELS, finish
from simulator.pakn import TOPICS, Petition, deadline, handle_due, publish_due, reject_due, supplement_due
from simulator.records import ECase, NCase
from simulator.simtime import DAY, HOUR, REORGANISED, at

UNKNOWN_UNIT = "000.50.31.H19"
QUARANTINED_UNIT = "000.99.31.H19"
CEASED_UNIT = "000.40.31.H19"
UNKNOWN_PETITION = "PAKN-241201-99999"
Plant = Callable[[Builder], list[Petition]]


def ago(b: Builder, days: int) -> int:
    """An office-hours time about `days` days before the world's now."""
    return b.work_time(b.now - days * DAY)


def fresh(b: Builder, sent: int, channel: int = 2, unit: str | None = None, field: str = "DUOC") -> Petition:
    """A petition sent directly at `sent` and accepted two hours later (status 2), about no case."""
    unit = unit or b.pick_unit(field, None, sent >= REORGANISED)
    p = Petition(key=b.serial("PAKN", sent), channel=channel, unit=unit, field=field, sender=b.applicant_no(),
                 sent=sent, updated=sent, topic=b.rng.randrange(len(TOPICS)), classification=1)
    p.receiver, p.handler = b.receiver(unit), b.handler(unit)
    p.status, p.accepted = 2, sent + 2 * HOUR
    return p


def answered(p: Petition, handled: int, published: int | None = None) -> Petition:
    """Handled at `handled` with an answer and its file (status 6), published at `published` (status 7)."""
    p.status, p.handled, p.answer, p.answer_file = 6, handled, 0, True
    if published is not None:
        p.status, p.published = 7, published
    return p


def _on_time(p: Petition) -> Petition:
    """Handled three days after acceptance and published two hours later."""
    assert p.accepted is not None
    answered(p, p.accepted + 3 * DAY)
    assert p.handled is not None
    return answered(p, p.handled, p.handled + 2 * HOUR)


def _open_past_deadline(b: Builder) -> list[Petition]:
    return [fresh(b, ago(b, 60))]


def _waiting_past_deadline(b: Builder) -> list[Petition]:
    p = fresh(b, ago(b, 45))
    p.status, p.accepted, p.classification = 1, None, 0
    return [p]


def _answered_late(b: Builder) -> list[Petition]:
    p = fresh(b, ago(b, 120))
    late = handle_due(p) + 2 * DAY + 3 * HOUR
    return [answered(p, late, late + 3 * HOUR)]


def _published_late(b: Builder) -> list[Petition]:
    p = fresh(b, ago(b, 120))
    assert p.accepted is not None
    answered(p, p.accepted + 3 * DAY)
    due = publish_due(p)
    assert due is not None and p.handled is not None
    return [answered(p, p.handled, due + DAY)]


def _unpublished_past_due(b: Builder) -> list[Petition]:
    p = fresh(b, ago(b, 90))
    assert p.accepted is not None
    return [answered(p, p.accepted + 2 * DAY)]


def _rejected(reason: bool, late: bool) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        p = fresh(b, ago(b, 70))
        p.accepted = None
        p.status, p.rejected = 4, reject_due(p) + 5 * HOUR if late else p.sent + 3 * HOUR
        p.reason = 0 if reason else -1
        return [p]
    return plant


def _moved_out(late: bool) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        p = fresh(b, ago(b, 75))
        p.status, p.moved_to = 5, "Bảo hiểm xã hội tỉnh Đồng Nai"
        p.moved_out = reject_due(p) + DAY if late else p.sent + 4 * HOUR
        return [p]
    return plant


def _info_requested(late: bool) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        p = fresh(b, ago(b, 80))
        assert p.accepted is not None
        asked = supplement_due(p) + DAY if late else p.accepted + DAY
        p.status, p.requests = 3, ((asked, None),)
        return [p]
    return plant


def _info_answered(b: Builder) -> list[Petition]:
    p = fresh(b, ago(b, 130))
    assert p.accepted is not None
    p.requests = ((p.accepted + DAY, p.accepted + 3 * DAY),)
    return [answered(p, p.accepted + 6 * DAY, p.accepted + 6 * DAY + HOUR)]


def _without_result(published: bool) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        p = _on_time(fresh(b, ago(b, 95)))
        if not published:
            p.status, p.published = 6, None
        p.answer, p.answer_file = -1, False
        return [p]
    return plant


def _reactions(likes: int, dislikes: int, rating: int) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        p = _on_time(fresh(b, ago(b, 100), channel=1))
        p.likes, p.dislikes, p.rating = likes, dislikes, rating
        return [p]
    return plant


def _complained(deleted: bool) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        original = _on_time(fresh(b, ago(b, 150)))
        assert original.published is not None
        sent = b.work_time(original.published + 5 * DAY)
        complaint = fresh(b, sent, unit=original.unit, field=original.field)
        complaint.related, complaint.sender, complaint.deleted = original.key, original.sender, deleted
        return [original, complaint]
    return plant


def _related(target: str | None) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        p = _on_time(fresh(b, ago(b, 110)))
        p.related = p.key if target is None else target
        return [p]
    return plant


def _find_case(b: Builder, condition: Callable[[NCase], bool]) -> NCase | None:
    """A new-system case satisfying `condition`, searched from a random position."""
    start = b.rng.randrange(len(b.new))
    for k in range(len(b.new)):
        c = b.new[(start + k) % len(b.new)]
        if condition(c):
            return c
    return None


def _live(c: NCase) -> bool:
    """A valid, non-deleted case that was received."""
    return not c.bad and not c.deleted and c.recv is not None and c.status not in (1, 3)


def _served_key(c: NCase) -> bool:
    """A bad case served under its own MaHoSo."""
    return c.bad and not (c.raw and "MaHoSo" in c.raw)


def _egov_case(b: Builder) -> ECase:
    """A valid Egov case, searched from a random position."""
    start = b.rng.randrange(len(b.egov))
    for k in range(len(b.egov)):
        e = b.egov[(start + k) % len(b.egov)]
        if not e.bad:
            return e
    raise ValueError("no valid Egov case")


def _about_case(how: str) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        p = _on_time(fresh(b, ago(b, 40)))
        if how == "egov":
            e = _egov_case(b)
            p.case_no, p.proc = e.so.strip(), e.proc
            return [p]
        condition = {"deleted": lambda c: c.deleted and not c.bad, "quarantined": _served_key}.get(how, _live)
        c = _find_case(b, condition)
        if c is None:
            return []
        p.case_no, p.proc, p.field = c.key, c.proc, PROCEDURE_BY_CODE[c.proc].field
        p.unit = current_unit(c.unit)
        p.receiver, p.handler = b.receiver(p.unit), b.handler(p.unit)
        if how == "unknown":
            p.case_no = c.key + "9"
        if how == "spaced":
            p.quirks = {"MaHoSo": "space"}
        return [p]
    return plant


def _channel(channel: int) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        return [_on_time(fresh(b, ago(b, 50), channel=channel))]
    return plant


def _transferred_in(source: str) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        sent = ago(b, 65)
        p = fresh(b, sent)
        p.source, p.transferred = source, b.work_time(sent + 6 * DAY)
        p.accepted = p.transferred + HOUR
        p.key = b.serial("PAKN", p.transferred)
        return [_on_time(p)]
    return plant


def _unit(code: str, sent: int | None = None) -> Plant:
    def plant(b: Builder) -> list[Petition]:
        return [_on_time(fresh(b, sent or ago(b, 55), unit=code, field="ATTP"))]
    return plant


def _midnight_missed(b: Builder) -> list[Petition]:
    p = fresh(b, ago(b, 100), channel=1)
    due = handle_due(p)
    return [answered(p, due + 9 * HOUR, due + 11 * HOUR)]


def _handled_while_open(b: Builder) -> list[Petition]:
    p = fresh(b, ago(b, 85))
    assert p.accepted is not None
    p.handled = p.accepted + DAY
    return [p]


def _extended(b: Builder) -> list[Petition]:
    p = fresh(b, ago(b, 140))
    p.extension = 10
    late_by_law = deadline(p, p.start, 15) + 2 * DAY
    return [answered(p, late_by_law, late_by_law + HOUR)]


def _recent(b: Builder) -> list[Petition]:
    p = fresh(b, b.now - 2 * DAY - 3 * HOUR)
    p.status, p.accepted, p.classification = 1, None, 0
    return [p]


def _tombstone(b: Builder) -> list[Petition]:
    p = fresh(b, ago(b, 30))
    p.deleted = True
    return [p]


def _holiday_start(b: Builder) -> list[Petition]:
    return [_on_time(fresh(b, at(2025, 1, 24, 10)))]


PLANTS: tuple[tuple[str, int, Plant], ...] = (
    ("open_past_deadline", 2, _open_past_deadline), ("waiting_past_deadline", 1, _waiting_past_deadline),
    ("answered_late", 2, _answered_late), ("published_late", 2, _published_late),
    ("unpublished_past_due", 1, _unpublished_past_due),
    ("rejected_with_reason", 1, _rejected(True, False)),
    ("rejected_without_reason", 2, _rejected(False, False)),
    ("rejected_late", 1, _rejected(True, True)), ("moved_out", 1, _moved_out(False)),
    ("moved_out_late", 1, _moved_out(True)), ("info_requested", 1, _info_requested(False)),
    ("info_requested_late", 1, _info_requested(True)), ("info_answered", 1, _info_answered),
    ("answered_without_result", 2, _without_result(True)),
    ("handled_without_result", 1, _without_result(False)),
    ("disliked", 2, _reactions(2, 9, 0)), ("rated_dissatisfied", 2, _reactions(6, 1, 2)),
    ("likes_equal_dislikes", 1, _reactions(4, 4, 1)), ("liked", 1, _reactions(12, 1, 1)),
    ("complained_about", 2, _complained(False)), ("complaint_deleted", 1, _complained(True)),
    ("self_related", 1, _related(None)), ("related_unknown", 1, _related(UNKNOWN_PETITION)),
    ("about_case", 2, _about_case("known")), ("about_case_spaced", 1, _about_case("spaced")),
    ("about_unknown_case", 2, _about_case("unknown")), ("about_egov_case", 1, _about_case("egov")),
    ("about_deleted_case", 1, _about_case("deleted")),
    ("about_quarantined_case", 1, _about_case("quarantined")),
    *((f"channel_{c}", 1, _channel(c)) for c in CHANNELS),
    *((f"transferred_in_{s}", 1, _transferred_in(s)) for s in ("VPCP", "BNDP", "NOIBO")),
    ("unit_not_in_catalogue", 1, _unit(UNKNOWN_UNIT)), ("unit_quarantined", 1, _unit(QUARANTINED_UNIT)),
    ("unit_ceased", 1, _unit(CEASED_UNIT, at(2025, 5, 12, 9))),
    ("midnight_deadline_missed", 1, _midnight_missed), ("handled_while_open", 1, _handled_while_open),
    ("extended_deadline", 1, _extended), ("tombstone", 2, _tombstone), ("holiday_start", 1, _holiday_start),
    ("recent", 1, _recent),
)


def plant_petitions(b: Builder) -> None:
    """Add the planted petitions (more copies at larger scales) and delete a few natural ones."""
    copies = 1 + len(b.petitions) // 3000
    for _, count, plant in PLANTS:
        for _ in range(count * copies):
            for p in plant(b):
                finish(b, p, b.now)
                b.petitions.append(p)
    for p in b.petitions:
        if p.status in (1, 2) and not p.deleted and not p.related and b.rng.random() < 0.005:
            p.deleted = True
            p.updated = min(b.now - 1, p.updated + b.rng.randrange(HOUR, 3 * DAY))
