"""What the generator planted, worked out from its own model of the records (not from the payloads)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from simulator.catalog import CATALOGUE_CODES, current_unit
from simulator.gen_base import BadPlant
from simulator.officials import Official, official_payload
from simulator.pakn import Petition, Rating, petition_payload, rating_payload
from simulator.records import (
    TERMINAL_STATUSES,
    ECase,
    NCase,
    egov_applicant_id,
    egov_finished,
    egov_payload,
    history,
    new_applicant_id,
    new_finished,
    new_payload,
)
from simulator.simtime import CUTOVER, MINUTE
from simulator.world import World
from tests.oracle.planted_petitions import compute_planted_petitions

EXPECTATIONS = (
    "closed_case_has_result", "late_case_has_apology", "stopped_case_has_reason", "official_account_vneid",
    "egov_no_receipt_after_cutover", "case_dates_in_order", "case_synced_to_national_portal",
    "case_procedure_in_catalog",
)

_PLANTED_BY_WORLD: WeakKeyDictionary[World, tuple[int, dict[str, Any]]] = WeakKeyDictionary()


def planted_payload_key(payload: Any) -> str:
    """'sha256:' + hex digest of a payload's canonical JSON (for records without a usable key)."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _served_text(value: Any) -> str:
    """A served value as clean text (NFC, trimmed; '' for anything that is not a string)."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""


def bad_key(plant: BadPlant) -> str:
    """The record key of a planted bad record, as the data rules define it."""
    if plant.entity == "case" and plant.source == "egov":
        payload = egov_payload(plant.ref)
        ident = payload.get("id")
        ok = isinstance(ident, int) and not isinstance(ident, bool)
        return str(ident) if ok else planted_payload_key(payload)
    payload, field = _payload_of(plant)
    return _served_text(payload.get(field)) or planted_payload_key(payload)


def _payload_of(plant: BadPlant) -> tuple[dict[str, Any], str]:
    """The served payload of a planted new-system record and the name of its key field."""
    if plant.entity == "case":
        return new_payload(plant.ref), "MaHoSo"
    if plant.entity == "official":
        return official_payload(plant.ref), "TenDangNhap"
    if plant.entity == "petition":
        return petition_payload(plant.ref), "MaPAKN"
    if plant.entity == "rating":
        return rating_payload(plant.ref), "MaDanhGia"
    return plant.ref, "MaTTHC" if plant.entity == "procedure" else "MaDonVi"


def egov_key(e: ECase) -> str:
    """The fact_case key of an Egov case."""
    return "EGOV:" + e.so.strip()


def _is_backlog(e: ECase) -> bool:
    """A valid Egov case received before the cutover and not finished before it."""
    end = egov_finished(e)
    return not e.bad and e.recv < CUTOVER and (end is None or end >= CUTOVER)


def _mismatch(e: ECase, m: NCase) -> list[str]:
    """The fields in which a migrated record disagrees with its Egov case."""
    out = []
    if egov_applicant_id(e).strip() != new_applicant_id(m).strip():
        out.append("applicant_id")
    if e.proc != m.proc:
        out.append("procedure_code")
    if m.recv is None or e.recv // MINUTE != m.recv // MINUTE:
        out.append("received_at")
    if current_unit(e.unit) != current_unit(m.unit):
        out.append("unit_code")
    return out


def reconcile(egov: list[ECase], new: list[NCase]) -> tuple[dict[str, str], dict[str, str], set[int]]:
    """Backlog outcomes by soHoSo, extra outcomes by MaHoSo, and the Egov cases some record links to."""
    links: dict[int, list[NCase]] = defaultdict(list)
    for m in new:
        if m.origin == "EGOV" and not m.bad and not m.deleted:
            links[m.link].append(m)
    backlog: dict[str, str] = {}
    extra: dict[str, str] = {}
    for i, e in enumerate(egov):
        if not _is_backlog(e):
            continue
        copies = sorted(links.get(i, []), key=lambda m: m.key)
        if not copies:
            backlog[e.so.strip()] = "finished_in_egov" if e.status in TERMINAL_STATUSES else "residue"
            continue
        if e.status in TERMINAL_STATUSES:
            backlog[e.so.strip()] = "double_handled"
        else:
            backlog[e.so.strip()] = "migrated_mismatch" if _mismatch(e, copies[0]) else "migrated"
        for m in copies[1:]:
            extra[m.key] = "duplicate_migrated"
    extra.update(_orphans(egov, links))
    return backlog, extra, {i for i in links if i >= 0}


def _orphans(egov: list[ECase], links: dict[int, list[NCase]]) -> dict[str, str]:
    """Live migrated records that link to no backlog case."""
    backlog_idx = {i for i, e in enumerate(egov) if _is_backlog(e)}
    orphans = [m for link, copies in links.items() if link not in backlog_idx for m in copies]
    return {m.key: "orphan_migrated" for m in orphans}


def _empty(text: str) -> bool:
    """Whether a text is empty after NFC normalisation and trimming."""
    return not unicodedata.normalize("NFC", text).strip()


def _case_offences(status: int, has_result: bool, late: bool, apology: bool, reason: str) -> list[str]:
    """The result, apology and stop-reason expectations a case breaks."""
    out = []
    if status in (9, 10) and not has_result:
        out.append("closed_case_has_result")
    if status in (9, 10) and late and not apology:
        out.append("late_case_has_apology")
    if status == 8 and _empty(reason):
        out.append("stopped_case_has_reason")
    return out


def _out_of_order(recv: int | None, due: int | None, end: int | None) -> bool:
    """Due or finished before received (a comparison with a missing time is never out of order)."""
    if recv is None:
        return False
    return (due is not None and due < recv) or (end is not None and end < recv)


def _new_offences(m: NCase) -> list[str]:
    """The expectations a fact_case new-system case breaks."""
    end = new_finished(m)
    late = end is not None and m.due is not None and end > m.due
    out = _case_offences(m.status, m.result > 0, late, m.apology_at is not None, m.reason)
    if _out_of_order(m.recv, m.due, end):
        out.append("case_dates_in_order")
    if not m.synced:
        out.append("case_synced_to_national_portal")
    if m.proc not in CATALOGUE_CODES:
        out.append("case_procedure_in_catalog")
    return out


def _egov_offences(e: ECase) -> list[str]:
    """The expectations a fact_case Egov case breaks."""
    end = egov_finished(e)
    late = end is not None and end > e.due
    out = _case_offences(e.status, e.result, late, e.apology, e.reason)
    if _out_of_order(e.recv, e.due, end):
        out.append("case_dates_in_order")
    if e.proc not in CATALOGUE_CODES:
        out.append("case_procedure_in_catalog")
    return out


def dq_offenders(egov: list[ECase], new: list[NCase], officials: Iterable[Official],
                 linked: set[int]) -> dict[str, set[str]]:
    """Per expectation, the case keys (or user names) that break it."""
    out: dict[str, set[str]] = {name: set() for name in EXPECTATIONS}
    users: set[str] = set()
    for m in new:
        if m.bad or m.deleted:
            continue
        for name in _new_offences(m):
            out[name].add(m.key)
        users.update(u for u, _, _ in history(m))
    for i, e in enumerate(egov):
        if e.bad:
            continue
        if e.recv >= CUTOVER:
            out["egov_no_receipt_after_cutover"].add(egov_key(e))
        if i not in linked:
            for name in _egov_offences(e):
                out[name].add(egov_key(e))
    for o in officials:
        if not o.bad and o.active and o.kind != "VNEID" and o.user in users:
            out["official_account_vneid"].add(o.user)
    return out


def compute_planted(egov: list[ECase], new: list[NCase], officials: list[Official], bad: list[BadPlant],
                    petitions: list[Petition], ratings: list[Rating], now: int) -> dict[str, Any]:
    """The planted dictionary: backlog and extra outcomes, bad records, data-quality offenders, and the
    special petitions and ratings (`petition_kinds`, `rating_kinds`, `petition_dq_offenders`)."""
    backlog, extra, linked = reconcile(egov, new)
    return {
        "backlog_outcome": backlog,
        "extra_outcome": extra,
        "bad": [{"source": p.source, "entity": p.entity, "key": bad_key(p), "reason": p.reason} for p in bad],
        "dq_offenders": dq_offenders(egov, new, officials, linked),
        **compute_planted_petitions(egov, new, petitions, ratings, now),
    }


def planted_of(world: World) -> dict[str, Any]:
    """What the generator planted in a world, recomputed from its model when the world has changed."""
    cached = _PLANTED_BY_WORLD.get(world)
    if cached is None or cached[0] != world.version:
        egov = [world.egov_case(i) for i in range(world.egov_count())]
        new = [world.new_case(i) for i in range(world.new_count())]
        petitions = [world.petition(i) for i in range(world.petition_count())]
        ratings = [world.rating(i) for i in range(world.rating_count())]
        planted = compute_planted(egov, new, world.official_list(), world.builder.bad, petitions, ratings,
                                  world.now)
        cached = (world.version, planted)
        _PLANTED_BY_WORLD[world] = cached
    return cached[1]
