"""The world generator: every population and every plant, in a fixed order, from one seeded RNG."""

from __future__ import annotations

from random import Random

from simulator.gen_backlog import assign_categories, choose_backlog, settle_egov
from simulator.gen_bad import (
    add_bad_officials,
    add_quirks,
    plant_egov_bad,
    plant_new_bad,
    procedure_payloads,
    unit_payloads,
)
from simulator.gen_base import Builder
from simulator.gen_egov import generate_egov
from simulator.gen_migrate import build_link_index, create_migrations, create_orphans, reserve_orphan_targets
from simulator.gen_newsys import generate_new
from simulator.gen_pakn import generate_petitions
from simulator.gen_pakn_bad import add_petition_quirks, plant_bad_petitions, plant_bad_ratings
from simulator.gen_pakn_plants import plant_petitions
from simulator.gen_quality import (
    add_egov_after_cutover,
    build_pools,
    designate_officials,
    egov_picker,
    new_picker,
    plant_egov_offenders,
    plant_egov_traps,
    plant_handlers,
    plant_new_offenders,
    plant_tombstones,
)
from simulator.gen_ratings import generate_ratings, plant_ratings
from simulator.officials import Official, legacy_accounts, make_officials
from simulator.simtime import DEFAULT_NOW

MIN_SCALE = 100
MAX_SCALE = 2_000_000


def build(scale: int, seed: int, now: int = DEFAULT_NOW) -> Builder:
    """Build every record of the world for (scale, seed) as it stands at the simulated second `now`."""
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be within {MIN_SCALE}..{MAX_SCALE}")
    b = Builder(rng=Random(seed), scale=scale, now=now)
    n_egov = max(600, scale // 2)
    b.applicant_pool = int((scale + n_egov) * 0.8) + 100
    b.officials = make_officials(b.rng, scale, now)
    roles = designate_officials(b)
    build_pools(b, roles)
    b.legacy_users = legacy_accounts(b.rng)
    plan = _build_egov(b, n_egov)
    _build_new(b, plan, roles)
    add_bad_officials(b)
    add_quirks(b)
    _build_petitions_and_ratings(b)
    b.procedures = procedure_payloads(b)
    b.units = unit_payloads(b)
    return b


def _build_egov(b: Builder, count: int) -> dict[int, str]:
    """The Egov population, its backlog settled by plan, its offenders and bad records; returns the plan."""
    generate_egov(b, count)
    add_egov_after_cutover(b)
    b.backlog = choose_backlog(b)
    plan = assign_categories(b, b.backlog)
    settle_egov(b, plan)
    plant_egov_traps(b)
    b.orphan_targets = reserve_orphan_targets(b, set(b.backlog))
    egov_pick = egov_picker(b)
    plant_egov_offenders(b, egov_pick)
    plant_egov_bad(b, egov_pick)
    return plan


def _build_new(b: Builder, plan: dict[int, str], roles: dict[str, list[Official]]) -> None:
    """The migrated copies, then the natural new cases with their offenders, tombstones and bad records."""
    index = build_link_index(b.egov)
    create_migrations(b, plan, index)
    create_orphans(b, b.orphan_targets, len(b.backlog), index)
    b.new_reserved.update(range(len(b.new)))
    generate_new(b, max(0, b.scale - len(b.new)))
    new_pick = new_picker(b)
    plant_new_offenders(b, new_pick)
    plant_handlers(b, new_pick, roles)
    plant_tombstones(b, new_pick, roles)
    plant_new_bad(b, new_pick)


def _build_petitions_and_ratings(b: Builder) -> None:
    """The ratings of the finished cases and the petitions, with their plants, bad records and quirks."""
    generate_ratings(b)
    plant_ratings(b)
    generate_petitions(b)
    plant_petitions(b)
    plant_bad_petitions(b)
    plant_bad_ratings(b)
    add_petition_quirks(b)
