"""Generation of the petitions (PAKN): the natural population, its life, complaints about earlier answers."""

from __future__ import annotations

import bisect
import itertools

from simulator.catalog import PROCEDURE_BY_CODE, PROCEDURES, current_unit
from simulator.gen_base import Builder, day_weights, procedure_cum
from simulator.holidays import add_working_days
from simulator.pakn import (
    ANSWERS,
    OUTSIDE_BODIES,
    REJECT_REASONS,
    TOPICS,
    Petition,
    deadline,
    handle_due,
    last_change_of,
    reject_due,
    supplement_due,
)
from simulator.records import NCase
from simulator.simtime import CUTOVER, DAY, HOUR, MINUTE, REORGANISED

CASES_PER_PETITION = 150
CHANNELS = (1, 2, 3, 4, 5, 9)
_CHANNEL_CUM = tuple(itertools.accumulate((30, 18, 30, 12, 7, 3)))
_ONLINE_CHANNELS = frozenset({1, 3, 5})
SOURCES = (("VPCP", 0.05), ("BNDP", 0.09), ("NOIBO", 0.15))


def generate_petitions(b: Builder) -> None:
    """About one petition per 150 received new-system cases, sent from the cutover to now, then complaints."""
    received = sum(1 for c in b.new if c.status not in (1, 3) and c.recv is not None)
    count = received // CASES_PER_PETITION
    days, cum = day_weights(CUTOVER // DAY, b.now // DAY, growth=0.3)
    for day in sorted(b.rng.choices(days, cum_weights=cum, k=count)):
        p = natural_petition(b, day * DAY)
        progress_petition(b, p, b.now)
        b.petitions.append(p)
    add_complaints(b)


def pick_channel(b: Builder) -> int:
    """A reception channel, weighted as the Department receives them."""
    return CHANNELS[bisect.bisect(_CHANNEL_CUM, b.rng.random() * _CHANNEL_CUM[-1])]


def case_for(b: Builder, before: int) -> NCase | None:
    """A live, valid new-system case received before `before` (None when a few draws find none)."""
    for _ in range(12):
        c = b.new[b.rng.randrange(len(b.new))]
        if not c.bad and not c.deleted and c.recv is not None and c.recv < before and c.status not in (1, 3):
            return c
    return None


def natural_petition(b: Builder, day_start: int, channel: int | None = None) -> Petition:
    """One petition sent on a day: about a case now and then, sometimes transferred in from another body."""
    rng = b.rng
    channel = channel or pick_channel(b)
    sent = b.online_time(day_start) if channel in _ONLINE_CHANNELS else b.office_time(day_start)
    sent = max(CUTOVER, min(sent, b.now - HOUR))
    case = case_for(b, sent) if rng.random() < 0.45 else None
    if case is not None:
        proc, field = case.proc, PROCEDURE_BY_CODE[case.proc].field
        unit = current_unit(case.unit) if sent >= REORGANISED else case.unit
    else:
        about = rng.choices(PROCEDURES, cum_weights=procedure_cum())[0]
        proc, field = (about.code if rng.random() < 0.3 else ""), about.field
        unit = b.pick_unit(field, None, sent >= REORGANISED)
    source, transferred = _transfer_in(b, sent)
    org = rng.random() < 0.25
    p = Petition(key="", channel=channel, unit=unit, field=field, sender=b.applicant_no(), sent=sent,
                 updated=sent, source=source, transferred=transferred, org=org,
                 kind=2 if org else (1 if rng.random() < 0.97 else 3), anonymous=rng.random() < 0.04,
                 proc=proc, case_no=case.key if case is not None else "", topic=rng.randrange(len(TOPICS)))
    p.key = b.serial("PAKN", p.start)
    p.receiver, p.handler = b.receiver(unit), b.handler(unit)
    return p


def _transfer_in(b: Builder, sent: int) -> tuple[str, int | None]:
    """Whether another body transferred the petition in (its source and when), else ('', None)."""
    r = b.rng.random()
    source = next((name for name, share in SOURCES if r < share), "")
    if not source:
        return "", None
    when = b.work_time(sent + b.rng.randrange(1, 8) * DAY)
    return (source, when) if when < b.now - HOUR else ("", None)


def progress_petition(b: Builder, p: Petition, now: int) -> None:
    """Move a petition along to the state it has at `now`: waiting, rejected, transferred, asked, handled."""
    rng = b.rng
    accept = max(p.start + 10 * MINUTE, b.work_time(p.start + rng.randrange(0, 2) * DAY))
    if accept < now:
        p.classification = 1 if rng.random() < 0.7 else 2
        r = rng.random()
        if r < 0.13:
            _end_at_reception(b, p, accept, now, rejected=r < 0.07)
        else:
            _handle(b, p, accept, now)
    finish(b, p, now)


def finish(b: Builder, p: Petition, now: int) -> None:
    """The last update and the portal sync flag of a petition."""
    p.updated = max(p.updated, min(now - 1, last_change_of(p) + b.rng.randrange(5, 900)))
    p.synced = b.rng.random() < (0.97 if p.channel == 1 else 0.85)


def _end_at_reception(b: Builder, p: Petition, accept: int, now: int, rejected: bool) -> None:
    """Rejected, or transferred to the competent body, within the reject deadline (mostly)."""
    rng = b.rng
    at = accept + rng.randrange(0, 4 * HOUR)
    if rng.random() < 0.12:
        at = reject_due(p) + rng.randrange(HOUR, 3 * DAY)
    if at >= now:
        return
    if rng.random() < 0.5:
        p.accepted = accept
    if rejected:
        p.status, p.rejected = 4, at
        p.reason = rng.randrange(len(REJECT_REASONS)) if rng.random() < 0.88 else -1
    else:
        p.status, p.moved_out, p.moved_to = 5, at, rng.choice(OUTSIDE_BODIES)


def _handle(b: Builder, p: Petition, accept: int, now: int) -> None:
    """Accepted and handled: maybe more information asked first, then answered, then published."""
    rng = b.rng
    p.status, p.accepted = 2, accept
    if rng.random() < 0.03:
        return
    handled: int | None = handling_time(b, p, accept)
    if rng.random() < 0.15:
        handled = _ask_for_more(b, p, accept, handled or accept, now)
    if handled is None or handled >= now:
        return
    answer(b, p, handled)
    if rng.random() < 0.88:
        published = publishing_time(b, p)
        if published < now:
            publish(b, p, published)


def handling_time(b: Builder, p: Petition, accept: int) -> int:
    """When the answer is approved: within the handling deadline, or after it for a few."""
    rng = b.rng
    due = handle_due(p)
    if rng.random() < 0.08:
        return due + rng.randrange(2 * HOUR, 6 * DAY)
    t = b.work_time(add_working_days(accept, rng.randrange(1, 14)))
    if t > due:
        t = due - rng.randrange(HOUR, 5 * HOUR)
    return max(t, accept + HOUR)


def _ask_for_more(b: Builder, p: Petition, accept: int, handled: int, now: int) -> int | None:
    """A request for more information; the handling waits for the answer (None: still waiting, status 3)."""
    rng = b.rng
    asked = accept + rng.randrange(2 * HOUR, 3 * DAY)
    if rng.random() < 0.2:
        asked = supplement_due(p) + rng.randrange(HOUR, 3 * DAY)
    if asked >= now:
        return handled
    answered = asked + rng.randrange(4 * HOUR, 5 * DAY)
    if rng.random() < 0.35 or answered >= now:
        p.status, p.requests = 3, ((asked, None),)
        return None
    p.requests = ((asked, answered),)
    return max(handled, answered + rng.randrange(HOUR, 3 * DAY))


def answer(b: Builder, p: Petition, handled: int) -> None:
    """The answer approved at `handled` (status 6), with its text and file (a few have neither)."""
    rng = b.rng
    p.status, p.handled = 6, handled
    p.answer = rng.randrange(len(ANSWERS)) if rng.random() < 0.985 else -1
    p.answer_file = p.answer >= 0 and rng.random() < 0.65


def publishing_time(b: Builder, p: Petition) -> int:
    """When the answer is published: within 2 working days of handling, late for a few."""
    rng = b.rng
    assert p.handled is not None
    due = deadline(p, p.handled, 2)
    if rng.random() < 0.07:
        return due + rng.randrange(HOUR, 4 * DAY)
    soon = b.work_time(p.handled + rng.randrange(0, 2) * DAY)
    return max(p.handled + 10 * MINUTE, min(due - 10 * MINUTE, soon))


def publish(b: Builder, p: Petition, published: int) -> None:
    """The answer published (status 7): the sender may rate it, portal users like or dislike it."""
    rng = b.rng
    p.status, p.published = 7, published
    if rng.random() < 0.4:
        p.rating = 1 if rng.random() < 0.86 else 2
    if p.channel in (1, 3):
        p.likes, p.dislikes = int(rng.expovariate(1 / 5)), int(rng.expovariate(1 / 1.2))


def add_complaints(b: Builder) -> None:
    """Some senders complain again about the answer they got: a new petition naming the earlier one."""
    rng = b.rng
    for p in list(b.petitions):
        if p.status not in (6, 7) or p.handled is None or rng.random() >= 0.05:
            continue
        sent = (p.published or p.handled) + rng.randrange(DAY, 25 * DAY)
        if sent < b.now - HOUR:
            b.petitions.append(complaint_about(b, p, sent))


def complaint_about(b: Builder, p: Petition, sent: int) -> Petition:
    """A petition complaining about the answer to `p`, sent at `sent` by its sender, progressed to now."""
    q = natural_petition(b, sent // DAY * DAY, channel=p.channel)
    q.sent = q.updated = sent
    q.source, q.transferred = "", None
    q.key = b.serial("PAKN", sent)
    q.sender, q.org, q.kind, q.field, q.proc, q.case_no = p.sender, p.org, p.kind, p.field, p.proc, p.case_no
    q.unit = current_unit(p.unit) if sent >= REORGANISED else p.unit
    q.related, q.topic = p.key, p.topic
    q.receiver, q.handler = b.receiver(q.unit), b.handler(q.unit)
    progress_petition(b, q, b.now)
    return q
