"""Generation of the natural new-system case population (the cutover .. the world's now)."""

from __future__ import annotations

from simulator.catalog import PROCEDURE_BY_CODE, PROCEDURES, Procedure
from simulator.gen_base import STOP_REASONS, Builder, day_weights, lerp, procedure_cum
from simulator.records import NCase
from simulator.simtime import CUTOVER, DAY, HOUR, REORGANISED, add_workdays


def generate_new(b: Builder, count: int) -> None:
    """Append `count` natural new-system cases (NguonHoSo MOI) received from the cutover to now."""
    rng = b.rng
    days, cum = day_weights(CUTOVER // DAY, b.now // DAY, growth=0.25)
    picked = sorted(rng.choices(days, cum_weights=cum, k=count))
    procs = rng.choices(PROCEDURES, cum_weights=procedure_cum(), k=count)
    for day, proc in zip(picked, procs, strict=True):
        b.new.append(natural_case(b, day * DAY, proc))


def natural_case(b: Builder, day_start: int, proc: Procedure) -> NCase:
    """One new case received (or registered online) on a day, progressed to the state it has now."""
    rng = b.rng
    now = b.now
    f = (day_start - CUTOVER) / (now - CUTOVER)
    unit = b.pick_unit(proc.field, None, day_start >= REORGANISED)
    online = proc.level != "2" and rng.random() < lerp(0.66, 0.76, f)
    channel = 2 if online else (3 if rng.random() < 0.04 else 1)
    recv = b.online_time(day_start) if online else b.office_time(day_start)
    recv = min(recv, now - 60)
    business = rng.random() < proc.business
    kind = 1 if not business else (2 if rng.random() < 0.93 else rng.choice((3, 4)))
    case = NCase(key=b.case_no(unit, recv), proc=proc.code, unit=unit, channel=channel,
                 applicant=b.applicant_no(), created=recv, recv=recv, due=None, status=2, updated=recv,
                 business=business, kind=kind, vneid=online and rng.random() < 0.82)
    case.receiver = b.receiver(unit)
    case.handler = b.handler(unit)
    progress(b, case, proc, now)
    attributes(b, case, proc, f, now)
    return case


def progress(b: Builder, case: NCase, proc: Procedure, now: int) -> None:
    """Move a received case along to the state it has at `now` (refused, open, or finished)."""
    rng = b.rng
    recv = case.recv or case.created
    if case.channel == 2 and now - recv < 2 * DAY and rng.random() < 0.35:
        case.status, case.recv = 1, None
        return
    case.due = add_workdays(recv, proc.days) + 17 * HOUR
    r = rng.random()
    if r < 0.02:
        case.status, case.refused, case.due = 3, min(now - 1, recv + rng.randrange(HOUR, 2 * DAY)), None
        return
    end, status = _planned_end(b, case, proc, r)
    if end >= now:
        case.supp_at = case.supp_done = None
        _open(b, case, now)
        return
    case.status, case.end = status, end
    if status == 8:
        case.reason = STOP_REASONS[rng.randrange(len(STOP_REASONS))] if rng.random() < 0.96 else ""
    if status == 9 and rng.random() < 0.9:
        ret = b.work_time(end + rng.randrange(0, 4) * DAY)
        if ret < now:
            case.status, case.ret = 10, max(ret, end + 600)


def _planned_end(b: Builder, case: NCase, proc: Procedure, r: float) -> tuple[int, int]:
    """When and how the case would end: withdrawn, stopped, or processed on time or late."""
    rng = b.rng
    recv = case.recv or case.created
    if r < 0.03:
        return b.work_time(add_workdays(recv, rng.randrange(1, proc.days + 1))), 7
    if r < 0.04:
        return b.work_time(add_workdays(recv, rng.randrange(2, proc.days + 2))), 8
    late = rng.random() < 0.045
    factor = rng.uniform(1.05, 1.6) if late else rng.uniform(0.2, 0.96)
    end = max(recv + 2 * HOUR, b.work_time(add_workdays(recv, int(proc.days * factor))))
    due = case.due or end
    if late and end <= due:
        end = due + rng.randrange(HOUR, 3 * DAY)
    if not late and end > due:
        end = due - rng.randrange(HOUR, 5 * HOUR)
    if rng.random() < 0.12:
        case.supp_at = min(end - HOUR, recv + rng.randrange(4 * HOUR, 3 * DAY))
        case.supp_done = case.supp_at + (end - case.supp_at) // 2
    return end, 9


def _open(b: Builder, case: NCase, now: int) -> None:
    """Leave a case open at `now`: received, in progress, waiting for a supplement or for the fee."""
    rng = b.rng
    recv = case.recv or case.created
    age = now - recv
    r = rng.random()
    if age < 6 * HOUR or r < 0.1:
        case.status = 2
    elif r < 0.78:
        case.status = 4
    elif r < 0.93:
        case.status = 5
        case.supp_at = min(now - 60, recv + rng.randrange(2 * HOUR, max(3 * HOUR, age)))
    else:
        case.status = 6 if PROCEDURE_BY_CODE[case.proc].fee else 4
    if case.due is not None and case.due < now and case.status != 2 and rng.random() < 0.65:
        case.apology_at = min(now - 60, case.due - rng.randrange(0, 2 * DAY))


def attributes(b: Builder, case: NCase, proc: Procedure, f: float, now: int) -> None:
    """Result documents, payment, digitisation, rating, apology, sync flag and last update of a case."""
    rng = b.rng
    done = case.status in (9, 10)
    if done and rng.random() < 0.996:
        case.result = 2 if rng.random() < lerp(0.8, 0.95, f) else (3 if rng.random() < 0.3 else 1)
    if proc.fee and case.status != 1:
        r = rng.random()
        case.payment = (1 if r < 0.22 else 2) if r < lerp(0.38, 0.5, f) else 3
    case.digitized = case.status != 1 and rng.random() < lerp(0.6, 0.78, f)
    if done and rng.random() < 0.6:
        r = rng.random()
        case.rating = 1 if r < 0.72 else (2 if r < 0.96 else 3)
    if done and case.end is not None and case.due is not None and case.end > case.due and rng.random() < 0.92:
        case.apology_at = case.due - rng.randrange(0, 2 * DAY)
    case.updated = min(now - 1, last_change(case) + rng.randrange(5, 900))
    case.synced = rng.random() < (0.985 if now - case.updated > DAY else 0.9)


def last_change(case: NCase) -> int:
    """The latest time recorded anywhere in a case."""
    times = (case.created, case.recv, case.end, case.refused, case.ret, case.supp_at, case.supp_done,
             case.apology_at)
    return max(t for t in times if t is not None)
