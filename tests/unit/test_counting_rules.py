"""The rules counting by difference rests on (queries/counting.sql), checked on every counted mart's template
and on the driver's decision of which spans are carried."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.sql_files import sql_text
from transform.change_log import FACT_IMAGE_COLUMNS
from transform.counting import CountedMart, carried_since, counted_build
from transform.registry import COUNTED_MARTS, REGISTRY

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = datetime(2026, 7, 3, 9, 0, tzinfo=LOCAL)
FIRST = date(2019, 1, 1)
# What a count may read besides the cases, and what a mart must declare to read it (rule 4).
CATALOGUES = {"raw.newsys_procedure": "by_procedure"}
AFRESH_SOURCES = {"raw.newsys_official", "staging.unit_current", "mart.fact_petition"}
# The moment a row counted afresh (never carried, so rule 2 does not bind it) is judged at: a petition's E.
AFRESH_MOMENT = r"least\(\w+\.p_end, b\.as_of\) AS moment"


def template(mart: CountedMart) -> str:
    """The mart's count template without its comments."""
    return re.sub(r"--[^\n]*", "", sql_text(mart.queries, "count"))


def case_aliases(text: str) -> set[str]:
    """The aliases the template gives to the cases it counts (`{cases} AS c`, and CTEs of them)."""
    aliases = set(re.findall(r"\{cases\}\s+AS\s+(\w+)", text))
    for name in re.findall(r"(\w+)\s+AS\s+\(\s*SELECT\s+\w+\.\*\s+FROM\s+\{cases\}", text):
        aliases |= set(re.findall(rf"\b{name}\s+AS\s+(\w+)", text))
    return aliases


@pytest.mark.parametrize("mart", COUNTED_MARTS, ids=lambda mart: mart.build)
def test_rule_1_a_count_reads_only_the_fact_image_of_a_case(mart: CountedMart) -> None:
    text = template(mart)
    aliases = case_aliases(text)
    assert aliases, "the template names no alias for {cases}"
    read = {column for alias in aliases for column in re.findall(rf"\b{alias}\.(\w+)", text)}
    assert read and read <= set(FACT_IMAGE_COLUMNS), read - set(FACT_IMAGE_COLUMNS)


@pytest.mark.parametrize("mart", COUNTED_MARTS, ids=lambda mart: mart.build)
def test_rule_2_as_of_judges_a_case_only_through_least_of_it_and_due_at(mart: CountedMart) -> None:
    text = template(mart)
    bounds = re.search(r"WITH bounds AS \((.*?)\n\),", text, re.S)
    assert bounds is not None
    assert ":as_of" not in text.replace(bounds.group(1), ""), "as_of is bound outside the bounds"
    uses = [match.start() for match in re.finditer(r"\bb\.as_of\b", text)]
    verdicts = [match.span() for match in re.finditer(r"least\([^()]*\bb\.as_of\)\s*<=\s*c\.due_at", text)]
    assert uses and verdicts
    if "mart.fact_petition" in text:
        assert mart.afresh is not None and "petition_on_time_rate" in mart.afresh
        verdicts += [match.span() for match in re.finditer(AFRESH_MOMENT, text)]
    assert all(any(start <= use < end for start, end in verdicts) for use in uses)


@pytest.mark.parametrize("mart", COUNTED_MARTS, ids=lambda mart: mart.build)
def test_rule_4_a_count_reading_a_catalogue_or_counting_no_cases_declares_it(mart: CountedMart) -> None:
    read = set(re.findall(r"\b(?:FROM|JOIN)\s+((?:raw|staging|mart)\.[a-z_]+)", template(mart)))
    for catalogue, flag in CATALOGUES.items():
        assert (catalogue in read) == getattr(mart, flag), (catalogue, flag)
    assert bool(read & AFRESH_SOURCES) == (mart.afresh is not None)
    assert read - set(CATALOGUES) - AFRESH_SOURCES <= {"mart.fact_case"}


def test_every_counted_mart_is_a_build_of_the_registry() -> None:
    builds = {build.name: build for build in REGISTRY.builds}
    assert all(builds.get(mart.build) == counted_build(mart) for mart in COUNTED_MARTS)


def test_rule_3_a_span_is_carried_only_if_the_last_build_counted_it_from_the_same_first_month() -> None:
    later = AS_OF + timedelta(days=1)
    assert carried_since(later, AS_OF, FIRST, FIRST, recounts=0, remaps=0) == AS_OF
    assert carried_since(AS_OF, later, FIRST, FIRST, recounts=0, remaps=0) == AS_OF
    assert carried_since(AS_OF, None, FIRST, None, recounts=0, remaps=0) is None
    assert carried_since(AS_OF, AS_OF, date(2018, 12, 1), FIRST, recounts=0, remaps=0) is None


def test_rules_4_and_5_a_pending_remap_or_recount_carries_no_span() -> None:
    assert carried_since(AS_OF, AS_OF, FIRST, FIRST, recounts=1, remaps=0) is None
    assert carried_since(AS_OF, AS_OF, FIRST, FIRST, recounts=0, remaps=1) is None


def test_the_fact_image_has_what_a_difference_needs() -> None:
    assert {"case_key", "status_code", "received_at", "due_at", "finished_at"} <= set(FACT_IMAGE_COLUMNS)
