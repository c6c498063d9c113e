"""Generation of the natural Egov case population (2019 .. the cutover)."""

from __future__ import annotations

from simulator.catalog import PROCEDURES, Procedure
from simulator.gen_base import STOP_REASONS, Builder, day_weights, lerp, procedure_cum
from simulator.records import ECase
from simulator.simtime import CUTOVER, DATE_ONLY_BEFORE, DAY, EGOV_START, HOUR, add_workdays, at


def generate_egov(b: Builder, count: int) -> None:
    """Append `count` natural Egov cases, ordered by reception, with ids and case numbers."""
    rng = b.rng
    days, cum = day_weights(EGOV_START // DAY, CUTOVER // DAY, growth=1.6)
    picked = sorted(rng.choices(days, cum_weights=cum, k=count))
    pcum = procedure_cum()
    procs = rng.choices(PROCEDURES, cum_weights=pcum, k=count)
    cases = [natural_egov(b, day * DAY, proc) for day, proc in zip(picked, procs, strict=True)]
    cases.sort(key=lambda c: c.recv)
    for case in cases:
        assign_identity(b, case)
    b.egov.extend(cases)


def assign_identity(b: Builder, case: ECase) -> None:
    """Give an Egov case the next id and a case number of its unit and reception day."""
    b.next_egov_id += 1 + (b.rng.random() < 0.3) + (b.rng.random() < 0.1)
    case.id = b.next_egov_id
    case.so = b.case_no(case.unit, case.recv)


def natural_egov(b: Builder, day_start: int, proc: Procedure) -> ECase:
    """One Egov case received on a day, processed to its natural end."""
    rng = b.rng
    f = (day_start - EGOV_START) / (CUTOVER - EGOV_START)
    unit = b.pick_unit(proc.field, "H19", False)
    online = proc.level != "2" and rng.random() < lerp(0.12, 0.64, f)
    channel = 2 if online else (3 if rng.random() < 0.05 else 1)
    recv = b.online_time(day_start) if online else b.office_time(day_start)
    due = add_workdays(recv, proc.days) + 17 * HOUR
    case = ECase(id=0, so="", proc=proc.code, unit=unit, channel=channel, recv=recv, due=due, end=None,
                 ret=None, status=4, updated=recv, applicant=b.applicant_no(),
                 business=rng.random() < proc.business)
    _outcome(b, case, proc, f)
    _attributes(b, case, proc, f)
    if recv < DATE_ONLY_BEFORE and rng.random() < 0.35:
        _date_only(case)
    return case


def _outcome(b: Builder, case: ECase, proc: Procedure, f: float) -> None:
    """Decide how a case ended: refused, withdrawn, stopped, or processed (on time or late)."""
    rng = b.rng
    r = rng.random()
    if r < 0.03:
        case.status, case.end = 3, case.recv + rng.randrange(HOUR, 3 * DAY)
        return
    if r < 0.05:
        case.status, case.end = 7, b.work_time(add_workdays(case.recv, rng.randrange(1, proc.days + 1)))
        return
    if r < 0.065:
        case.status, case.end = 8, b.work_time(add_workdays(case.recv, rng.randrange(2, proc.days + 2)))
        case.reason = STOP_REASONS[rng.randrange(len(STOP_REASONS))] if rng.random() < 0.93 else ""
        return
    late = rng.random() < lerp(0.09, 0.05, f)
    factor = rng.uniform(1.05, 1.7) if late else rng.uniform(0.25, 0.97)
    case.end = max(case.recv + 2 * HOUR, b.work_time(add_workdays(case.recv, int(proc.days * factor))))
    if late and case.end <= case.due:
        case.end = case.due + rng.randrange(HOUR, 3 * DAY)
    if not late and case.end > case.due:
        case.end = case.due - rng.randrange(HOUR, 5 * HOUR)
    case.status = 10 if rng.random() < 0.91 else 9
    if case.status == 10:
        case.ret = b.work_time(case.end + rng.randrange(0, 4) * DAY)
        case.ret = max(case.ret, case.end + 600)


def _attributes(b: Builder, case: ECase, proc: Procedure, f: float) -> None:
    """Result, payment, digitisation, rating, apology, handler and last update of a finished case."""
    rng = b.rng
    done = case.status in (9, 10)
    case.result = done and rng.random() < 0.993
    case.e_result = case.result and rng.random() < lerp(0.02, 0.5, f)
    if proc.fee and rng.random() < 0.95:
        case.payment = 1 if rng.random() < lerp(0.04, 0.32, f) else 2
    case.digitized = rng.random() < lerp(0.05, 0.62, f)
    if done and rng.random() < lerp(0.15, 0.5, f):
        r = rng.random()
        case.rating = 1 if r < 0.62 else (2 if r < 0.94 else 3)
    late = case.end is not None and case.end > case.due
    case.apology = done and late and rng.random() < (0.3 if case.recv < at(2022, 7, 1) else 0.72)
    case.handler = b.legacy_user(case.unit)
    last = max(t for t in (case.recv, case.end, case.ret) if t is not None)
    case.updated = last + rng.randrange(60, 2 * HOUR)


def _date_only(case: ECase) -> None:
    """Mark an early case as carrying dates only (every time truncated to midnight)."""
    case.date_only = True
    for name in ("recv", "due", "end", "ret", "updated"):
        value = getattr(case, name)
        if value is not None:
            setattr(case, name, value // DAY * DAY)


def natural_backlog(b: Builder) -> list[int]:
    """Indexes of Egov cases received before the cutover whose natural end falls after it."""
    return [i for i, c in enumerate(b.egov) if c.end is not None and c.end >= CUTOVER and c.recv < CUTOVER]
