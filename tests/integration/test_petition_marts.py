"""The petition and rating marts on hand-made raw rows: each on-time rule of the contract (every status,
published late, open past the deadline at P_end, transferred in), dislikes against likes, complaints about an
earlier answer, a unit merged mid-month, the rating in force, the suite `petitions`; a change is applied as a
difference equal to a full rebuild, and a re-run with unchanged sources changes no row."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, text

from resources.warehouse import WarehouseResource
from tests.builders import CUTOVER, insert, local, newsys_case, petition, rating, unit
from transform.builds import BuildInputs, BuildRun
from transform.registry import REGISTRY

AS_OF = local(2025, 5, 10, 12)
MARCH, APRIL, MAY = date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)
ON_TIME, SATISFIED = "petition_on_time_rate", "petition_satisfaction_rate"
MARTS = ("mart.fact_petition", "mart.fact_rating", "mart.indicator_monthly", "staging.dq_subject")
HANDLED = {
    "status_code": 6, "handled_at": local(2025, 3, 20, 10), "ended_at": local(2025, 3, 20, 10),
    "publish_due_at": local(2025, 3, 27, 17), "published_at": local(2025, 3, 26, 9), "has_answer": True,
}  # fmt: skip


def own_unit(key: str, **values: Any) -> dict[str, Any]:
    """A petition handled by a unit of its own (named as the petition): its unit's rows are its verdicts."""
    return petition(key, original_unit_code=key, **values)


# Each petition in its own unit; (month, indicator) -> (numerator, denominator) of that unit, by hand. March's
# E is its P_end (1/4 00:00), April's 1/5 00:00, May's the as_of (10/5 12:00). Default: accepted 3/3,
# reject by 5/3, supplement by 10/3, handle by 24/3 17:00.
ON_TIME_CASES: dict[str, tuple[dict[str, Any], dict[tuple[date, str], tuple[int, int]]]] = {
    "S1-OPEN-PAST-DUE": ({"status_code": 1, "accepted_at": None},
                         {(MARCH, ON_TIME): (0, 1), (APRIL, ON_TIME): (0, 1), (MAY, ON_TIME): (0, 1)}),
    "S2-OPEN-IN-TIME": ({"handle_due_at": local(2025, 4, 15, 17)},
                        {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (0, 1), (MAY, ON_TIME): (0, 1),
                         (MARCH, SATISFIED): (1, 1)}),
    "S3-SUPPLEMENT-IN-TIME": ({"status_code": 3, "first_request_at": local(2025, 3, 8),
                               "ended_at": local(2025, 3, 8)},
                              {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    "S3-SUPPLEMENT-LATE": ({"status_code": 3, "first_request_at": local(2025, 3, 12),
                            "ended_at": local(2025, 3, 12)},
                           {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    "S4-REJECTED-IN-TIME": ({"status_code": 4, "rejected_at": local(2025, 3, 4),
                             "ended_at": local(2025, 3, 4)},
                            {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    "S4-REJECTED-LATE": ({"status_code": 4, "rejected_at": local(2025, 3, 6), "ended_at": local(2025, 3, 6),
                          "reject_reason": "Không thuộc thẩm quyền", "has_reject_reason": True},
                         {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    "S5-MOVED-OUT-LATE": ({"status_code": 5, "moved_out_at": local(2025, 3, 6),
                           "ended_at": local(2025, 3, 6)},
                          {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    "S6-HANDLED-PUBLISHED": (HANDLED, {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    "S6-NOT-PUBLISHED": (HANDLED | {"published_at": None},
                         {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    "S6-PUBLISHED-LATE-IN-P": (HANDLED | {"published_at": local(2025, 3, 29)},
                               {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    # Handled in March, publishing deadline after P_end, published late in April: never counted late.
    "S7-PUBLISHED-LATE-AFTER-P": (HANDLED | {"status_code": 7, "handle_due_at": local(2025, 3, 31, 17),
                                             "handled_at": local(2025, 3, 28), "ended_at": local(2025, 3, 28),
                                             "publish_due_at": local(2025, 4, 3, 17),
                                             "published_at": local(2025, 4, 10)},
                                  {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    "S7-HANDLED-LATE": (HANDLED | {"status_code": 7, "handled_at": local(2025, 3, 25),
                                   "ended_at": local(2025, 3, 25), "has_answer": False},
                        {(MARCH, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    # Open at March's E (due 31/3), handled late on 2/4: late in both months.
    "S6-ENDED-AFTER-E": (HANDLED | {"handle_due_at": local(2025, 3, 31, 17), "handled_at": local(2025, 4, 2),
                                    "ended_at": local(2025, 4, 2), "publish_due_at": local(2025, 4, 9, 17),
                                    "published_at": local(2025, 4, 3)},
                         {(MARCH, ON_TIME): (0, 1), (APRIL, ON_TIME): (0, 1), (MARCH, SATISFIED): (0, 1)}),
    # Sent in February to another body, transferred in on 2/3: counted from March, its start.
    "TRANSFERRED-IN": ({"sent_at": local(2025, 2, 20), "transfer_source": "VPCP", "transferred_in": True,
                        "transferred_at": local(2025, 3, 2), "accepted_at": local(2025, 3, 2, 10),
                        "handle_due_at": local(2025, 4, 20, 17)},
                       {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (0, 1), (MAY, ON_TIME): (0, 1),
                        (MARCH, SATISFIED): (1, 1)}),
    "DISLIKED": (HANDLED | {"likes": 1, "dislikes": 3},
                 {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (0, 1)}),
    "AS-LIKED-AS-DISLIKED": (HANDLED | {"likes": 3, "dislikes": 3},
                             {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    "ANSWER-RATED-BAD": (HANDLED | {"answer_rating": 2, "likes": 5},
                         {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (0, 1)}),
    "ANSWER-RATED-GOOD-DISLIKED": (HANDLED | {"answer_rating": 1, "dislikes": 2},
                                   {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (0, 1)}),
    # Complained about (MaPAKNLienQuan) on 25/3, before March's P_end: not satisfied.
    "COMPLAINED": (HANDLED, {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (0, 1)}),
    "COMPLAINT": ({"related_petition_no": "COMPLAINED", "sent_at": local(2025, 3, 25),
                   "accepted_at": local(2025, 3, 25, 10), "handle_due_at": local(2025, 4, 20, 17)},
                  {(MARCH, ON_TIME): (1, 1), (APRIL, ON_TIME): (0, 1), (MAY, ON_TIME): (0, 1),
                   (MARCH, SATISFIED): (1, 1)}),
    # Complained about only in April: still satisfied in March.
    "COMPLAINED-LATER": (HANDLED, {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    "LATER-COMPLAINT": ({"related_petition_no": "COMPLAINED-LATER", "sent_at": local(2025, 4, 3),
                         "accepted_at": local(2025, 4, 3, 10), "handle_due_at": local(2025, 5, 28, 17)},
                        {(APRIL, ON_TIME): (1, 1), (MAY, ON_TIME): (1, 1), (APRIL, SATISFIED): (1, 1)}),
    # Naming itself is no complaint (another petition must).
    "NAMES-ITSELF": (HANDLED | {"related_petition_no": "NAMES-ITSELF"},
                     {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    "ABOUT-A-CASE": (HANDLED | {"case_no": "HS-1"}, {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
    "ABOUT-NO-CASE": (HANDLED | {"case_no": "HS-NONE"},
                      {(MARCH, ON_TIME): (1, 1), (MARCH, SATISFIED): (1, 1)}),
}  # fmt: skip


def ratings() -> list[dict[str, Any]]:
    """HS-1: two ratings in force at the same latest time (DG-b wins in byte order) and a replaced later one;
    HS-2 and HS-3 disagree with their rating in force; HS-4 has only a replaced one; DG-X rates no case."""
    return [
        rating("DG-a", "HS-1", level=3),
        rating("DG-b", "HS-1", rated_at=local(2025, 4, 2, 10), level=1),
        rating("DG-C", "HS-1", rated_at=local(2025, 4, 2, 10), level=3),
        rating("DG-z", "HS-1", rated_at=local(2025, 5, 1), level=3, in_force=False),
        rating("DG-2", "HS-2", level=3),
        rating("DG-3", "HS-3", level=2),
        rating("DG-4", "HS-4", level=3, in_force=False),
        rating("DG-X", "HS-NONE", level=1),
        rating("DG-DELETED", "HS-1", rated_at=local(2025, 5, 2), is_deleted=True),
    ]


def install(conn: Connection) -> None:
    """The raw rows: four cases (the first received in January), the units, the petitions and ratings."""
    finished = {"status_code": 10, "finished_at": local(2025, 3, 1, 10), "due_at": local(2025, 3, 5, 17)}
    insert(conn, "newsys_case",
           newsys_case("HS-1", received_at=local(2025, 1, 10), rating=1, **finished),
           newsys_case("HS-2", received_at=local(2025, 2, 10), rating=2, **finished),
           newsys_case("HS-3", received_at=local(2025, 2, 11), rating=None, **finished),
           newsys_case("HS-4", received_at=local(2025, 2, 12), rating=2, **finished))  # fmt: skip
    insert(conn, "newsys_unit", unit("U1"), unit("U2"), unit("U3"))
    insert(conn, "newsys_petition", *(own_unit(key, **values) for key, (values, _) in ON_TIME_CASES.items()))
    insert(conn, "newsys_petition", petition("GONE", is_deleted=True))
    insert(conn, "newsys_rating", *ratings())


def build_all(conn: Connection, as_of: datetime = AS_OF, *, full: bool = False) -> dict[str, BuildRun]:
    """Run every build of the registry in order; what each did."""
    inputs = BuildInputs(as_of=as_of, cutover=CUTOVER, full=full, pii_hash_key="test-key")
    return {build.name: REGISTRY.run(conn, build, inputs) for build in REGISTRY.builds}


def snapshot(conn: Connection) -> dict[str, Counter]:
    """The rows of the marts these builds publish (and the data-quality subject), as multisets."""
    return {table: Counter(map(tuple, conn.execute(text(f"SELECT * FROM {table}")).all())) for table in MARTS}


def land(conn: Connection, entity: str, *keys: str) -> None:
    """Log landed keys in `raw.change_log` as the landing does."""
    for key in keys:
        conn.execute(
            text("INSERT INTO raw.change_log (run_id, source, entity, record_key, change, logged_at)"
                 " VALUES ('test', 'newsys', :entity, :key, 'updated', now())"),
            {"entity": entity, "key": key},
        )  # fmt: skip


def petition_indicator_rows(conn: Connection) -> dict[tuple[date, str, str], tuple[int, int]]:
    """(period_month, unit_code, indicator_code) -> (numerator, denominator) of the petition indicators."""
    found = conn.execute(
        text("SELECT period_month, unit_code, indicator_code, numerator, denominator"
             " FROM mart.indicator_monthly"
             " WHERE indicator_code IN ('petition_on_time_rate', 'petition_satisfaction_rate')")
    ).all()  # fmt: skip
    return {(r.period_month, r.unit_code, r.indicator_code): (r.numerator, r.denominator) for r in found}


def subject(conn: Connection, expectation: str) -> dict[str, bool | None]:
    """record_key -> passed, of one expectation's subject rows."""
    found = conn.execute(
        text("SELECT record_key, passed FROM staging.dq_subject WHERE expectation = :name"),
        {"name": expectation},
    ).all()
    return {row.record_key: row.passed for row in found}


def test_each_on_time_rule_dislike_and_complaint_counts_as_the_contract_says(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.begin() as conn:
        install(conn)
        build_all(conn)
        published = petition_indicator_rows(conn)
    expected = {(month, key, code): counts for key, (_, rows) in ON_TIME_CASES.items()
                for (month, code), counts in rows.items()}  # fmt: skip
    assert {key: value for key, value in published.items() if key[1] != "ALL"} == expected
    totals: Counter = Counter()
    for (month, _, code), (numerator, denominator) in expected.items():
        totals[(month, code, "n")] += numerator
        totals[(month, code, "d")] += denominator
    for (month, unit_code, code), counts in published.items():
        if unit_code == "ALL":
            assert counts == (totals[(month, code, "n")], totals[(month, code, "d")]), (month, code)
    with warehouse.begin() as conn:
        targets = dict(conn.execute(text("SELECT DISTINCT indicator_code, target FROM mart.indicator_monthly"
                                         " WHERE indicator_code LIKE 'petition%'")).all())  # fmt: skip
    assert {code: float(value) for code, value in targets.items()} == {ON_TIME: 0.96, SATISFIED: 0.92}


def test_fact_petition_carries_no_sender_data_and_resolves_cases(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        install(conn)
        build_all(conn)
        found = conn.execute(text("SELECT * FROM mart.fact_petition")).mappings()
        rows = {r["petition_key"]: r for r in found}
        columns = set(next(iter(rows.values())))
    assert set(rows) == set(ON_TIME_CASES)
    assert not columns & {"sender_name", "sender_id", "sender_phone", "sender_email", "title", "content",
                          "reject_reason", "answer", "answer_file", "payload"}  # fmt: skip
    assert (rows["ABOUT-A-CASE"]["case_key"], rows["ABOUT-NO-CASE"]["case_key"]) == ("HS-1", None)
    transferred = rows["TRANSFERRED-IN"]
    assert (transferred["transferred_in"], transferred["start_at"]) == (True, local(2025, 3, 2))


def test_the_rating_in_force_and_the_petitions_suite(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        install(conn)
        build_all(conn)
        fact_rating = {r.rating_key: (r.case_key, r.in_force) for r in conn.execute(
            text("SELECT rating_key, case_key, in_force FROM mart.fact_rating"))}  # fmt: skip
        found = {name: subject(conn, name) for name in (
            "case_rating_matches_rating_in_force", "rating_case_exists", "petition_case_exists",
            "petition_answered_has_result", "petition_rejected_has_reason")}  # fmt: skip
    assert "DG-DELETED" not in fact_rating and fact_rating["DG-X"] == (None, True)
    assert fact_rating["DG-z"] == ("HS-1", False)
    # HS-1's rating in force is DG-b (level 1, = its DanhGia); HS-2 (2 vs 3) and HS-3 (none vs 2) disagree.
    assert found["case_rating_matches_rating_in_force"] == {"HS-1": True, "HS-2": False, "HS-3": False}
    assert {key for key, passed in found["rating_case_exists"].items() if not passed} == {"DG-X"}
    assert found["petition_case_exists"] == {"ABOUT-A-CASE": True, "ABOUT-NO-CASE": False}
    assert {key for key, passed in found["petition_answered_has_result"].items() if not passed} == {
        "S7-HANDLED-LATE"}
    assert found["petition_rejected_has_reason"] == {"S4-REJECTED-IN-TIME": False, "S4-REJECTED-LATE": True}


def test_a_tie_of_ratings_in_force_goes_to_the_greatest_key_in_byte_order(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.begin() as conn:
        install(conn)
        conn.execute(text("UPDATE raw.newsys_case SET rating = 3 WHERE case_no = 'HS-1'"))
        build_all(conn)
        matches = subject(conn, "case_rating_matches_rating_in_force")
    assert matches["HS-1"] is False  # DG-b (level 1) is in force, not DG-C (level 3, "C" < "b" in bytes)


def test_a_change_is_a_difference_equal_to_a_full_rebuild(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        install(conn)
        build_all(conn)
    with warehouse.begin() as conn:
        conn.execute(text(
            "UPDATE raw.newsys_petition SET status_code = 6, handled_at = :at, ended_at = :at,"
            " has_answer = true, publish_due_at = :publish_due, published_at = :at, dislikes = 4"
            " WHERE petition_key = 'S2-OPEN-IN-TIME'"),
            {"at": local(2025, 4, 10), "publish_due": local(2025, 4, 17)},
        )  # fmt: skip
        conn.execute(text("UPDATE raw.newsys_petition SET related_petition_no = 'COMPLAINED-LATER',"
                          " sent_at = :at, start_at = :at WHERE petition_key = 'COMPLAINT'"),
                     {"at": local(2025, 3, 26)})
        conn.execute(text("UPDATE raw.newsys_petition SET is_deleted = true WHERE petition_key = 'DISLIKED'"))
        conn.execute(text("UPDATE raw.newsys_rating SET in_force = false WHERE rating_key = 'DG-b'"))
        land(conn, "petition", "S2-OPEN-IN-TIME", "COMPLAINT", "DISLIKED")
        land(conn, "rating", "DG-b")
    later = local(2025, 5, 12, 9)
    with warehouse.begin() as conn:
        runs = build_all(conn, later)
        incremental = snapshot(conn)
        changed = petition_indicator_rows(conn)
        matches = subject(conn, "case_rating_matches_rating_in_force")
    incremental_builds = ("fact_petition", "fact_rating", "indicator_monthly", "dq_subject")
    assert all(not runs[name].full for name in incremental_builds)
    assert runs["fact_petition"].published.rows_written == 3 and runs["fact_rating"].published.updated == 1
    # Only the months the changed petitions count in (March to May), never January or February.
    assert runs["indicator_monthly"].extra["months_affected"] == 3
    assert changed[(MARCH, "COMPLAINED", SATISFIED)] == (1, 1)  # its complaint now names another petition
    assert changed[(MARCH, "COMPLAINED-LATER", SATISFIED)] == (0, 1)
    assert (MARCH, "DISLIKED", ON_TIME) not in changed
    assert changed[(APRIL, "S2-OPEN-IN-TIME", ON_TIME)] == (1, 1)
    assert (MAY, "S2-OPEN-IN-TIME", ON_TIME) not in changed
    assert matches["HS-1"] is False  # DG-C (level 3) is now the rating in force
    with warehouse.begin() as conn:
        build_all(conn, later, full=True)
        assert snapshot(conn) == incremental


def test_a_rerun_with_unchanged_sources_changes_no_row(warehouse: WarehouseResource) -> None:
    with warehouse.begin() as conn:
        install(conn)
        build_all(conn)
        before = snapshot(conn)
    with warehouse.begin() as conn:
        runs = build_all(conn)
        assert snapshot(conn) == before
    written = {name: run.published.rows_written for name, run in runs.items()}
    assert {name: rows for name, rows in written.items() if rows} == {}


def test_a_unit_merged_mid_month_counts_its_petitions_under_its_successor(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.begin() as conn:
        install(conn)
        insert(conn, "newsys_petition", petition("MERGED-1", original_unit_code="U2", **HANDLED),
               petition("KEPT-1", original_unit_code="U3", **HANDLED))  # fmt: skip
        build_all(conn)
        assert petition_indicator_rows(conn)[(MARCH, "U2", ON_TIME)] == (1, 1)
    with warehouse.begin() as conn:
        conn.execute(text("UPDATE raw.newsys_unit SET successor_code = 'U1', ceased_at = :at"
                          " WHERE unit_code = 'U2'"), {"at": local(2025, 3, 15)})  # fmt: skip
        land(conn, "unit", "U2")
    with warehouse.begin() as conn:
        runs = build_all(conn, local(2025, 5, 10, 13))
        rows = petition_indicator_rows(conn)
        units = dict(conn.execute(text("SELECT petition_key, unit_code FROM mart.fact_petition"
                                       " WHERE petition_key IN ('MERGED-1', 'KEPT-1')")).all())  # fmt: skip
        incremental = snapshot(conn)
    assert not runs["fact_petition"].full and runs["fact_petition"].published.updated == 1
    assert runs["indicator_monthly"].extra["months_affected"] == 2  # March (the petition) and May (as_of)
    assert units == {"MERGED-1": "U1", "KEPT-1": "U3"}
    assert (MARCH, "U2", ON_TIME) not in rows
    assert rows[(MARCH, "U1", ON_TIME)] == (1, 1) and rows[(MARCH, "U1", SATISFIED)] == (1, 1)
    with warehouse.begin() as conn:
        build_all(conn, local(2025, 5, 10, 13), full=True)
        assert snapshot(conn) == incremental


def test_the_run_summary_shows_both_petition_indicators(
    warehouse: WarehouseResource, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipelines.cli import print_summary

    with warehouse.begin() as conn:
        install(conn)
        build_all(conn)
    monkeypatch.setenv("WAREHOUSE_URL", warehouse.url)
    capsys.readouterr()
    print_summary("no-run", 1.0)
    section = capsys.readouterr().out.split("=== petitions and ratings (marts) ===", 1)[1]
    lines = [line.split() for line in section.split("\n=== ", 1)[0].splitlines() if line.startswith(ON_TIME)]
    # May: open S1, S2 and TRANSFERRED-IN late, COMPLAINT late, LATER-COMPLAINT on time; no acceptance.
    assert ["2025-05", "20.0%", "1/5", "96%", "below"] in [line[1:] for line in lines]
    assert not any(line.startswith(SATISFIED + " 2025-05") for line in section.splitlines())
