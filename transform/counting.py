"""Counting by difference: one driver for every mart of case counts per month or period.

A counted mart is declared once (`CountedMart`: its table, its spans, its count template and columns) and
becomes a build (`counted_build`). In full, the driver counts every case. Otherwise it finds the spans the
pending changes affect, and of those:

* a span the last build counted is *carried*: its published counts plus the signed fact changes (counted at
  the last build's as_of), plus the cases due between the two as_of (counted at this one, and at the last
  with the opposite sign); the rows that count no cases are counted afresh;
* any other span is *recounted* from its cases.

The rules this rests on are written once, at the top of `queries/counting.sql`. Every temp table of a count
is named here (`CountTables`) and passed to the statements; the pending entries are in `pending_changes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from psycopg import sql as pgsql
from sqlalchemy import Connection

from core.local_time import month_of
from core.sql_files import column_list, sql
from resources.publication import Publication, PublishedTable, publish_table
from transform.builds import Build, BuildRun, Param
from transform.change_log import EntryKind, image_columns, pending_of_kind
from transform.statements import ALL_ROWS, run_template

COUNTING_SQL = "queries/counting.sql"
ALL_CASES = "mart.fact_case"
NO_CASES = "(SELECT * FROM mart.fact_case WHERE false)"


@dataclass(frozen=True)
class CountTables:
    """The temp tables of one count, named once here and passed to every statement that uses them."""

    affected_month: str = "affected_month"  # the months the pending changes touch
    affected_period: str = "affected_period"  # the quarters, halves and years that contain one of them
    carried: str = "carried_span"  # the affected spans counted by difference
    recounted: str = "recounted_span"  # the affected spans counted again from their cases
    span_case: str = "span_case"  # the cases that count in a recounted span
    fact_delta: str = "fact_delta"  # the pending fact changes, signed
    as_of_flip: str = "as_of_flip"  # the cases due between the last as_of and this one
    counts: str = "span_counts"  # the new counts of the spans built
    delta: str = "span_delta"  # the signed counts of what changed in the carried spans
    new: str = "counted_new"  # the rows published, when the mart finishes its counts into them

    def parts(self) -> dict[str, pgsql.Identifier]:
        """Every table as a template fragment."""
        return {name: pgsql.Identifier(value) for name, value in vars(self).items()}


TABLES = CountTables()


@dataclass(frozen=True)
class Spans:
    """What a counted row counts over: its columns in the mart, its key as the count template writes it, and
    the temp table of the affected spans (derived from the affected months, unless they are months)."""

    plural: str
    columns: tuple[str, ...]
    template_key: str
    affected: str
    derive: str | None = None


MONTHS = Spans("months", ("period_month",), "m::date", TABLES.affected_month)
PERIODS = Spans(
    "periods", ("period_kind", "period_start"), "(s.period_kind, p::date)", TABLES.affected_period,
    derive="create_affected_period",
)  # fmt: skip


class Pass(StrEnum):
    """What one run of a count template reads."""

    ALL = "all"  # every case, every span (a full build)
    RECOUNTED = "recounted"  # the cases of the recounted spans
    CHANGES = "changes"  # the signed fact changes, or the cases due between two as_of, in the carried spans
    AFRESH = "afresh"  # no case, in the carried spans: the rows that count no cases


@dataclass(frozen=True)
class CountedMart:
    """A mart of case counts per span, built by difference: its build's name and the builds it comes after,
    its table and spans, its SQL (a `count` template, and a `finish` statement when the published rows are
    more than the counts), the columns a row is grouped by and the counts summed, the count a row is kept
    while positive, the template's own fragments per pass, the rows counted afresh (a condition on `t`) and
    whether it counts by a procedure's field or counts petitions (afresh, from `mart.fact_petition`)."""

    build: str
    after: tuple[str, ...]
    table: PublishedTable
    spans: Spans
    queries: str
    groups: tuple[str, ...]
    counts: tuple[str, ...]
    kept_while: str
    fragments: Mapping[Pass, Mapping[str, str]] = field(default_factory=dict)
    afresh: str | None = None
    finish: str | None = None
    by_procedure: bool = False
    by_petition: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of its counts tables."""
        return self.groups + self.counts


def first_month(conn: Connection) -> date | None:
    """The first month with a received case of `mart.fact_case`."""
    return conn.execute(sql(COUNTING_SQL, "first_month")).scalar()


def carried_since(
    as_of: datetime, previous_as_of: datetime | None, first: date | None, previous_first: date | None, *,
    recounts: int, remaps: int,
) -> datetime | None:  # fmt: skip
    """The affected spans that began by this moment are carried: the earlier of the two as_of, when the last
    build counted at one (rule 3), from the same first month, with no recount (rule 5) or remap (rule 4)
    pending; None when none may be."""
    if previous_as_of is None or first != previous_first or recounts or remaps:
        return None
    return min(as_of, previous_as_of)


def in_spans(mart: CountedMart, table: str) -> str:
    """The count template's condition that its span is one of those of `table`."""
    return f"{mart.spans.template_key} IN (SELECT {', '.join(mart.spans.columns)} FROM {table})"


def count(
    conn: Connection, mart: CountedMart, step: Pass, moment: datetime, *, cases: str, weight: str, into: str,
    span_filter: str, params: dict[str, Any] | None = None,
) -> int:  # fmt: skip
    """Run the mart's count template once, at `moment`; returns the rows it wrote."""
    parts = {"into": into, "cases": cases, "weight": weight, "span_filter": span_filter}
    parts |= mart.fragments.get(step, {})
    return run_template(conn, mart.queries, "count", {"as_of": moment, **(params or {})}, **parts)


def count_all(
    conn: Connection, mart: CountedMart, moment: datetime, *, span_filter: str = ALL_ROWS,
    params: dict[str, Any] | None = None,
) -> int:  # fmt: skip
    """Count every case of `mart.fact_case` in the spans of `span_filter` into a new counts table; returns the
    counts written."""
    into = f"CREATE TEMP TABLE {TABLES.counts} ON COMMIT DROP AS"
    run_template(conn, COUNTING_SQL, "drop_counts", target=TABLES.counts)
    return count(
        conn, mart, Pass.ALL, moment, cases=ALL_CASES, weight="1", into=into, span_filter=span_filter,
        params=params,
    )  # fmt: skip


def run_counting(conn: Connection, name: str, **params: Any) -> int:
    """One driver statement with the count tables filled in; returns its row count."""
    return run_template(conn, COUNTING_SQL, name, params, **TABLES.parts())


def create_counts(conn: Connection, mart: CountedMart, target: str) -> None:
    """An empty counts table of the mart's columns."""
    run_template(conn, COUNTING_SQL, "drop_counts", target=target)
    columns = column_list(mart.columns)
    run_template(conn, COUNTING_SQL, "create_counts", target=target, columns=columns, mart=mart.table.table)


def stage_affected_months(
    conn: Connection, mart: CountedMart, as_of: datetime | None, previous_as_of: datetime | None,
    first: date | None, previous_first: date | None,
) -> int:  # fmt: skip
    """The months the pending changes touch for the mart, at `as_of` after a count at `previous_as_of` from
    the first month `previous_first` (temp table `affected_month`); returns how many."""
    run_counting(conn, "drop_affected_month")
    return run_counting(
        conn, "create_affected_month", as_of=as_of, previous_as_of=previous_as_of, first_month=first,
        previous_first_month=previous_first, with_procedures=mart.by_procedure,
        with_petitions=mart.by_petition,
    )  # fmt: skip


def stage_affected_spans(conn: Connection, mart: CountedMart, run: BuildRun) -> tuple[int, int]:
    """The months the pending changes touch, and the mart's spans that contain them; returns how many of
    each."""
    months = stage_affected_months(
        conn, mart, run.inputs.as_of, run.previous_as_of, run.first_month, run.previous_first_month
    )
    if not months or mart.spans.derive is None:
        return months, months
    run_counting(conn, "drop_affected_period")
    return months, run_counting(conn, mart.spans.derive)


def split_spans(conn: Connection, mart: CountedMart, run: BuildRun) -> tuple[int, int]:
    """Split the affected spans into the carried and the recounted; returns how many of each."""
    remaps = pending_of_kind(conn, EntryKind.PROCEDURE) if mart.by_procedure else 0
    since = carried_since(
        run.inputs.as_of, run.previous_as_of, run.first_month, run.previous_first_month,
        recounts=pending_of_kind(conn, EntryKind.RECOUNT), remaps=remaps,
    )  # fmt: skip
    tables = TABLES.parts() | {"affected": pgsql.Identifier(mart.spans.affected)}
    run_template(conn, COUNTING_SQL, "drop_carried_and_recounted", **tables)
    carried = run_template(conn, COUNTING_SQL, "create_carried", {"carried_since": since}, **tables)
    recounted = run_template(conn, COUNTING_SQL, "create_recounted", {"carried_since": since}, **tables)
    return carried, recounted


def count_recounted(conn: Connection, mart: CountedMart, as_of: datetime) -> int:
    """Count the cases of the recounted spans into the counts; returns the case rows read."""
    run_counting(conn, "drop_span_case")
    read = run_counting(conn, "create_span_case")
    into = f"INSERT INTO {TABLES.counts}"
    span_filter = in_spans(mart, TABLES.recounted)
    cases = TABLES.span_case
    count(conn, mart, Pass.RECOUNTED, as_of, cases=cases, weight="1", into=into, span_filter=span_filter)
    return read


def count_changes(conn: Connection, mart: CountedMart, run: BuildRun) -> int:
    """Count into the delta what changed in the carried spans: the signed fact changes at the last build's
    as_of, then the cases due between the two as_of at this one (+1) and at the last (-1); the rows that
    count no cases are counted afresh. Returns the case rows read."""
    as_of, previous = run.inputs.as_of, run.previous_as_of
    assert as_of is not None and previous is not None
    create_counts(conn, mart, TABLES.delta)
    into, span_filter = f"INSERT INTO {TABLES.delta}", in_spans(mart, TABLES.carried)
    run_counting(conn, "drop_fact_delta")
    read = run_template(
        conn, COUNTING_SQL, "create_fact_delta", image_columns=image_columns("c"), **TABLES.parts()
    )
    count(conn, mart, Pass.CHANGES, previous, cases=TABLES.fact_delta, weight="c.weight", into=into,
          span_filter=span_filter)  # fmt: skip
    if previous != as_of:
        run_counting(conn, "drop_as_of_flip")
        read += run_counting(conn, "create_as_of_flip", as_of=as_of, previous_as_of=previous)
        for moment, weight in ((as_of, "1"), (previous, "-1")):
            count(conn, mart, Pass.CHANGES, moment, cases=TABLES.as_of_flip, weight=weight, into=into,
                  span_filter=span_filter)  # fmt: skip
    if mart.afresh is not None:
        count(conn, mart, Pass.AFRESH, as_of, cases=NO_CASES, weight="1", into=into, span_filter=span_filter)
    return read


def merge_carried(conn: Connection, mart: CountedMart) -> None:
    """Add the published counts of the carried spans (but the rows counted afresh) to their delta, into the
    counts."""
    spans = mart.spans.columns
    sums = pgsql.SQL(", ").join(pgsql.SQL("sum({})").format(pgsql.Identifier(name)) for name in mart.counts)
    run_template(
        conn, COUNTING_SQL, "merge_carried", **TABLES.parts(), mart=mart.table.table, sums=sums,
        columns=column_list(mart.columns), groups=column_list(mart.groups),
        t_columns=column_list(mart.columns, "t"), t_span=column_list(spans, "t"),
        span_columns=column_list(spans), afresh=mart.afresh or "false",
        kept_while=pgsql.Identifier(mart.kept_while),
    )  # fmt: skip


def publish_counts(
    conn: Connection, mart: CountedMart, *, scope: str = ALL_ROWS, params: dict[str, Any] | None = None
) -> Publication:
    """Publish the counts (finished into the mart's rows when it has a `finish`) within `scope`."""
    published = TABLES.counts
    if mart.finish is not None:
        run_template(conn, COUNTING_SQL, "drop_counts", target=TABLES.new)
        run_template(conn, COUNTING_SQL, "create_new", new=TABLES.new, mart=mart.table.table)
        run_template(conn, mart.queries, mart.finish, **TABLES.parts())
        published = TABLES.new
    return publish_table(conn, mart.table, published, scope=scope, params=params)


def affected_scope(mart: CountedMart) -> str:
    """The published rows of the affected spans (a condition on `t`)."""
    columns = ", ".join(mart.spans.columns)
    published = ", ".join(f"t.{name}" for name in mart.spans.columns)
    return f"({published}) IN (SELECT {columns} FROM {mart.spans.affected})"


def counts_hold(conn: Connection, run: BuildRun, *, with_petitions: bool) -> bool:
    """True when the published counts are those of this run: no entry is pending but rebuilds of builds it
    does not come after (so the cases and the first month are those the last build counted), as_of is in the
    same month, and nothing is due between the two as_of (rule 2; petitions too `with_petitions`)."""
    as_of, previous = run.inputs.as_of, run.previous_as_of
    if run.full or as_of is None or previous is None or month_of(as_of) != month_of(previous):
        return False
    if run.changes > pending_of_kind(conn, EntryKind.REBUILD):
        return False
    params = {"as_of": as_of, "previous_as_of": previous, "with_petitions": with_petitions}
    return bool(conn.execute(sql(COUNTING_SQL, "nothing_due_between"), params).scalar_one())


def compute_counts(conn: Connection, mart: CountedMart, run: BuildRun) -> Publication:
    """Count the mart in full, or the spans the pending changes affect (carried or recounted), and publish;
    or keep the counts when they hold at this as_of."""
    as_of = run.inputs.as_of
    assert as_of is not None
    if counts_hold(conn, run, with_petitions=mart.by_petition):
        run.first_month = run.previous_first_month
        run.extra["unchanged"] = True
        return Publication()
    run.first_month = first_month(conn)
    if run.full:
        run.rows_read = count_all(conn, mart, as_of)
        return publish_counts(conn, mart)
    months, spans = stage_affected_spans(conn, mart, run)
    if not months:
        return Publication()
    create_counts(conn, mart, TABLES.counts)
    carried, recounted = split_spans(conn, mart, run)
    plural = mart.spans.plural
    run.extra |= {f"{plural}_affected": spans, f"{plural}_by_difference": carried,
                  f"{plural}_recomputed": recounted}  # fmt: skip
    if recounted:
        run.rows_read += count_recounted(conn, mart, as_of)
    if carried:
        run.rows_read += count_changes(conn, mart, run)
        merge_carried(conn, mart)
    return publish_counts(conn, mart, scope=affected_scope(mart))


def counted_build(mart: CountedMart) -> Build:
    """The build of a counted mart: it keeps its as_of, and its code is its SQL (its own and the driver's)
    and its declaration."""
    return Build(
        mart.build, publishes=mart.table.table, sql=(mart.queries, COUNTING_SQL),
        compute=lambda conn, run: compute_counts(conn, mart, run), after=mart.after, params=(Param.AS_OF,),
        shape=(repr(mart),),
    )  # fmt: skip
