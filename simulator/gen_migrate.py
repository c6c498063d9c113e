"""Migrated copies of Egov cases in the new system (NguonHoSo EGOV), as the migration tool wrote them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from random import Random
from typing import Any

from simulator.catalog import PROCEDURE_BY_CODE, PROCEDURES, UNIT_BY_CODE, UNITS, current_unit
from simulator.gen_backlog import PAIRED
from simulator.gen_base import STOP_REASONS, BadPlant, Builder
from simulator.gen_newsys import attributes, last_change
from simulator.records import TERMINAL_STATUSES, ECase, NCase, egov_applicant_id
from simulator.simtime import CUTOVER, DAY, HOUR, MINUTE, REORGANISED, add_workdays, at, yymmdd

Fingerprint = tuple[str, str, int]
_LATEST_MIGRATION_DAYS = 30


def normalise(case_no: str) -> str:
    """A case number upper-cased with every character that is not a letter or digit removed."""
    return "".join(ch for ch in case_no.upper() if ch.isalnum())


def fingerprint(case: ECase) -> Fingerprint | None:
    """Procedure, applicant ID and reception minute of an Egov case (None without an applicant ID)."""
    ident = egov_applicant_id(case)
    return (case.proc, ident, case.recv // MINUTE) if ident else None


@dataclass
class LinkIndex:
    """What the linking rules will see: normalised Egov case numbers and fingerprints."""

    by_norm: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    every_norm: set[str] = field(default_factory=set)
    fingerprints: Counter[Fingerprint] = field(default_factory=Counter)

    def unique_fingerprint(self, case: ECase) -> bool:
        """Whether exactly one valid Egov case has this case's fingerprint."""
        fp = fingerprint(case)
        return fp is not None and self.fingerprints[fp] == 1

    def links_by_number(self, legacy: str) -> int | None:
        """The Egov case a legacy number links to by case number, if exactly one."""
        hits = self.by_norm.get(normalise(legacy), [])
        return hits[0] if len(hits) == 1 else None


def build_link_index(egov: list[ECase]) -> LinkIndex:
    """Index every Egov case number and the fingerprints of the valid cases."""
    index = LinkIndex()
    for i, case in enumerate(egov):
        norm = normalise(case.so)
        index.every_norm.add(norm)
        if case.bad:
            continue
        index.by_norm[norm].append(i)
        fp = fingerprint(case)
        if fp is not None:
            index.fingerprints[fp] += 1
    return index


def messy(rng: Random, case_no: str) -> str:
    """The legacy number as the migration tool wrote it: case, separators and spaces may differ."""
    if rng.random() < 0.3 or case_no.count("-") != 2:
        return case_no
    unit, day, seq = case_no.split("-")
    unit = rng.choice((unit, unit.lower(), unit.replace(".", "-"), unit.replace(".", "-").lower(),
                       unit.replace(".", "")))
    sep = rng.choice(("-", " ", "/", "_", "", "-"))
    return f"{rng.choice(('', '', ' '))}{unit}{sep}{day}{sep}{seq}{rng.choice(('', '', ' ', '  '))}"


def garbled(index: LinkIndex, case_no: str) -> str:
    """A legacy number mangled so that it matches no Egov case at all."""
    unit, _, rest = case_no.partition("-")
    candidate = f"{unit}-{rest.replace('-', '-9', 1)}"
    while normalise(candidate) in index.every_norm:
        candidate += "0"
    return candidate


def migration_time(b: Builder, late: bool = False) -> int:
    """When the migration tool copied a case: mostly in the first weeks after the cutover, never lately."""
    rng = b.rng
    if late:
        return b.work_time(REORGANISED + rng.randrange(2, 90) * DAY)
    r = rng.random()
    low, high = (0, 45) if r < 0.7 else ((45, 180) if r < 0.95 else (180, 500))
    days = rng.randrange(low, min(high, (b.now - CUTOVER) // DAY - _LATEST_MIGRATION_DAYS))
    return b.work_time(CUTOVER + days * DAY)


def migrated_copy(b: Builder, e: ECase, link: int, created: int, legacy: str, **changes: Any) -> NCase:
    """A new-system copy of an Egov case made by the migration tool at `created`, progressed to now."""
    unit = changes.get("unit") or e.unit
    if created >= REORGANISED and UNIT_BY_CODE[unit].ceased:
        unit = current_unit(unit)
    case = NCase(key=b.case_no(unit, created), proc=changes.get("proc", e.proc), unit=unit, channel=e.channel,
                 applicant=e.applicant, created=created, recv=changes.get("recv", e.recv), due=e.due,
                 status=4, updated=created, business=e.business, kind=2 if e.business else 1, origin="EGOV",
                 legacy=legacy, link=link)
    case.app_id = changes.get("app_id", e.app_id)
    case.receiver = b.receiver(unit)
    case.handler = b.handler(unit)
    progress_migrated(b, case, changes.get("now", b.now))
    b.new.append(case)
    return case


def progress_migrated(b: Builder, case: NCase, now: int) -> None:
    """Move a migrated case along in the new system up to `now`."""
    rng = b.rng
    proc = PROCEDURE_BY_CODE[case.proc]
    end = b.work_time(add_workdays(case.created, rng.randrange(1, max(2, proc.days))))
    if end >= now:
        case.status = 4 if rng.random() < 0.75 else 5
        if case.status == 5:
            case.supp_at = min(now - 60, case.created + rng.randrange(HOUR, 3 * DAY))
    else:
        r = rng.random()
        case.status, case.end = (8 if r < 0.04 else 7 if r < 0.07 else 9), end
        case.reason = STOP_REASONS[0] if case.status == 8 else ""
        if case.status == 9 and rng.random() < 0.9 and end + 2 * DAY < now:
            case.status, case.ret = 10, end + rng.randrange(HOUR, 2 * DAY)
    attributes(b, case, proc, 0.2, now)
    if case.due is not None and case.due < min(now, case.end or now) and rng.random() < 0.85:
        case.apology_at = min(now - 60, max(case.created + HOUR, case.due - DAY))
    case.updated = min(now - 1, last_change(case) + rng.randrange(5, 900))


def _altered_id(rng: Random, ident: str) -> str:
    """An applicant ID number with one digit typed wrong (or an invented one when empty)."""
    if not ident:
        return f"0750{rng.randrange(10**8):08d}"
    pos = rng.randrange(len(ident))
    digit = str((int(ident[pos]) + rng.randrange(1, 10)) % 10)
    return ident[:pos] + digit + ident[pos + 1:]


def _other_unit(rng: Random, unit: str) -> str:
    """An existing unit whose current unit differs from that of `unit`."""
    here = current_unit(unit)
    options = [u.code for u in UNITS if not u.ceased and u.code != here and u.level == "SO"]
    return rng.choice(options)


def _other_procedure(rng: Random, code: str) -> str:
    """Another catalogue procedure, of the same field when there is one."""
    field_code = PROCEDURE_BY_CODE[code].field
    options = [p.code for p in PROCEDURES if p.code != code and p.field == field_code]
    return rng.choice(options or [p.code for p in PROCEDURES if p.code != code])


def _zeroed(rng: Random, t: int, share: float) -> int:
    """A reception time with its seconds set to 00 (for a share of the copies)."""
    return t - t % MINUTE if rng.random() < share else t


def _copy_for(b: Builder, i: int, name: str, index: LinkIndex) -> None:
    """Create the migrated copies the plan gives backlog case `i`."""
    rng, e = b.rng, b.egov[i]
    legacy = messy(rng, e.so)
    when = migration_time(b, late=name == "successor")
    if name in ("migrated", "successor", "double"):
        migrated_copy(b, e, i, when, legacy, recv=_zeroed(rng, e.recv, 0.3))
    elif name in ("fp_empty", "fp_garbled"):
        linked = index.unique_fingerprint(e)
        number = ("" if name == "fp_empty" else garbled(index, e.so)) if linked else legacy
        migrated_copy(b, e, i, when, number, recv=_zeroed(rng, e.recv, 0.7))
    elif name.startswith("mm_"):
        migrated_copy(b, e, i, when, legacy, **_mismatch(rng, e, name))
    elif name == "duplicate":
        migrated_copy(b, e, i, when, legacy)
        second = "" if index.unique_fingerprint(e) and rng.random() < 0.5 else messy(rng, e.so)
        migrated_copy(b, e, i, when + rng.randrange(1, 20) * DAY, second)
    elif name == "residue_tomb":
        gone = min(b.now - HOUR, when + rng.randrange(1, 15) * DAY)
        tomb = migrated_copy(b, e, i, when, legacy, now=gone)
        tomb.deleted, tomb.updated = True, gone
    elif name == "residue_bad":
        bad = migrated_copy(b, e, i, when, legacy)
        bad.raw, bad.bad = {"KenhThucHien": "9"}, True
        b.bad.append(BadPlant("newsys", "case", bad, "bad_code:KenhThucHien"))


def _mismatch(rng: Random, e: ECase, name: str) -> dict[str, Any]:
    """The fields a mismatching copy gets wrong."""
    changes: dict[str, Any] = {}
    if name in ("mm_applicant", "mm_multi"):
        changes["app_id"] = _altered_id(rng, egov_applicant_id(e))
    if name in ("mm_unit", "mm_multi"):
        changes["unit"] = _other_unit(rng, e.unit)
    if name == "mm_procedure":
        changes["proc"] = _other_procedure(rng, e.proc)
    if name == "mm_received":
        changes["recv"] = e.recv - 7 * HOUR if rng.random() < 0.5 else e.recv + DAY
    return changes


def _copies_for_pairs(b: Builder, plan: dict[int, str]) -> None:
    """One unlinkable copy per planted pair: ambiguous fingerprint, or a number two Egov cases share."""
    rng = b.rng
    for name in PAIRED:
        members = sorted(i for i, c in plan.items() if c == name)
        for first in members[0::2]:
            e = b.egov[first]
            if name == "ambiguous":
                migrated_copy(b, e, -1, migration_time(b), "", recv=_zeroed(rng, e.recv, 0.5))
            else:
                stranger = f"0790{rng.randrange(10**8):08d}"
                migrated_copy(b, e, -1, migration_time(b), messy(rng, e.so).lower(), app_id=stranger)


def create_migrations(b: Builder, plan: dict[int, str], index: LinkIndex) -> None:
    """Create every migrated copy the backlog plan calls for, and flag the Egov cases as moved."""
    for i in sorted(plan):
        if plan[i] not in PAIRED:
            _copy_for(b, i, plan[i], index)
    _copies_for_pairs(b, plan)
    moved_share = {"residue": 0.1, "finished": 0.03, "ambiguous": 0.5, "collision": 0.5}
    for i in sorted(plan):
        if b.rng.random() < moved_share.get(plan[i], 0.75):
            case = b.egov[i]
            case.moved = True
            case.updated = max(case.updated, min(b.now - 1, case.updated + DAY))


def reserve_orphan_targets(b: Builder, backlog: set[int]) -> list[int]:
    """Non-backlog Egov cases finished before the cutover that some migrated record will point at."""
    wanted = max(2, round(len(backlog) * 0.02))
    options = [i for i, c in enumerate(b.egov)
               if i not in backlog and c.status in TERMINAL_STATUSES and c.end is not None and c.end < CUTOVER
               and c.recv >= at(2024, 1, 1) and not c.date_only]
    b.rng.shuffle(options)
    picked = sorted(options[:wanted])
    b.egov_reserved.update(picked)
    return picked


def create_orphans(b: Builder, targets: list[int], backlog_size: int, index: LinkIndex) -> None:
    """Migrated records with no backlog case: pointing at a case finished before the cutover or at nothing."""
    rng = b.rng
    for i in targets:
        e = b.egov[i]
        migrated_copy(b, e, i, migration_time(b), messy(rng, e.so))
    for _ in range(max(2, round(backlog_size * 0.01))):
        proc = PROCEDURES[rng.randrange(len(PROCEDURES))]
        recv = b.office_time(at(2024, 9, 1) + rng.randrange(100) * DAY)
        unit = b.pick_unit(proc.field, "H19", False)
        number = f"{unit}-{yymmdd(recv)}-{rng.randrange(1000, 9999)}"
        due = add_workdays(recv, proc.days) + 17 * HOUR
        ghost = ECase(id=0, so=number, proc=proc.code, unit=unit, channel=1, recv=recv, due=due, end=None,
                      ret=None, status=4, updated=recv, applicant=b.applicant_pool + rng.randrange(10**6))
        legacy = garbled(index, ghost.so)
        if index.unique_fingerprint(ghost):
            continue
        migrated_copy(b, ghost, -1, migration_time(b), legacy)
