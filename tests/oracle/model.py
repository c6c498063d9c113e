"""Ground-truth model: every payload read, quarantine decided, catalogues and current units resolved."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.oracle.source_records import (
    Case,
    Official,
    Reading,
    read_egov_case,
    read_newsys_case,
    read_official,
    read_procedure,
    read_unit,
)

QuarantineKey = tuple[str, str, str]


@dataclass
class UnitChains:
    """Current units: each code followed along its successors to a unit that still exists."""

    successors: dict[str, str | None]
    _memo: dict[str, str] = field(default_factory=dict)

    def current(self, code: str | None) -> str | None:
        """The current unit of a code (itself when unknown to the catalogue or caught in a cycle)."""
        if code is None:
            return None
        if code not in self._memo:
            self._memo[code] = self._follow(code)
        return self._memo[code]

    def _follow(self, code: str) -> str:
        """Walk the successor chain from `code`; a chain that never ends leaves the code as it is."""
        seen = {code}
        current = code
        while (successor := self.successors.get(current)) is not None:
            if successor in seen:
                return code
            seen.add(successor)
            current = successor
        return current


@dataclass
class Model:
    """Valid records of every source and entity, and the quarantine with its reasons."""

    quarantine: dict[QuarantineKey, list[str]]
    egov: list[Case]
    newsys: list[Case]
    officials: list[Official]
    catalogue: frozenset[str]
    units: UnitChains
    procedure_levels: dict[str, str] = field(default_factory=dict)


def latest_by_key(payloads: Iterable[Any], reader: Callable[[Any], Reading]) -> dict[str, Reading]:
    """Read every payload; the last one delivered for a key is its state."""
    readings: dict[str, Reading] = {}
    for payload in payloads:
        reading = reader(payload)
        readings[reading.record_key] = reading
    return readings


def split_valid(
    readings: dict[str, Reading], source: str, entity: str, quarantine: dict[QuarantineKey, list[str]]
) -> list[Any]:
    """The values of the valid readings; the bad ones go to `quarantine` with their reasons."""
    valid = []
    for key, reading in readings.items():
        if reading.reasons:
            quarantine[(source, entity, key)] = list(reading.reasons)
        else:
            valid.append(reading.value)
    return valid


def build_model(
    egov: Iterable[Any], newsys: Iterable[Any], officials: Iterable[Any], procedures: Iterable[Any],
    units: Iterable[Any],
) -> Model:
    """Read and validate every source payload into the model."""
    quarantine: dict[QuarantineKey, list[str]] = {}
    egov_cases = split_valid(latest_by_key(egov, read_egov_case), "egov", "case", quarantine)
    new_cases = split_valid(latest_by_key(newsys, read_newsys_case), "newsys", "case", quarantine)
    accounts = split_valid(latest_by_key(officials, read_official), "newsys", "official", quarantine)
    catalogue = split_valid(latest_by_key(procedures, read_procedure), "newsys", "procedure", quarantine)
    unit_list = split_valid(latest_by_key(units, read_unit), "newsys", "unit", quarantine)
    return Model(
        quarantine=quarantine, egov=egov_cases, newsys=new_cases, officials=accounts,
        catalogue=frozenset(p.procedure_code for p in catalogue),
        units=UnitChains({u.unit_code: u.successor_code for u in unit_list}),
        procedure_levels={p.procedure_code: p.level for p in catalogue},
    )
