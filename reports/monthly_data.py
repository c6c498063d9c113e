"""The data of the monthly report, read from the warehouse: the last complete month's indicators, the trend,
the Decision 766 scorecard, the backlog, the data-quality findings, the officials' review and the petitions
(PAKN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row

from core.sql_files import sql
from reports.score766_section import UnitCard, load_scorecards

QUERIES = "queries/monthly_report.sql"
TOP_N = 10
SCORECARD_SOURCES = ("mart.score766_monthly", "mart.fact_case", "mart.fact_petition", "mart.fact_rating")


@dataclass
class ReportData:
    """Everything the report shows, read from the warehouse."""

    as_of: datetime
    month: date | None
    targets: dict[str, Any] = field(default_factory=dict)
    unit_names: dict[str, str] = field(default_factory=dict)
    month_rows: list[Row] = field(default_factory=list)
    trend_rows: list[Row] = field(default_factory=list)
    scorecards: list[UnitCard] = field(default_factory=list)
    snapshots: list[Row] = field(default_factory=list)
    open_backlog: list[Row] = field(default_factory=list)
    late_units: list[Row] = field(default_factory=list)
    late_officials: list[Row] = field(default_factory=list)
    residue_rows: list[Row] = field(default_factory=list)
    dq_rows: list[Row] = field(default_factory=list)
    official_rows: list[Row] = field(default_factory=list)
    petition_rows: list[Row] = field(default_factory=list)
    overdue_petition_rows: list[Row] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def relation_exists(conn: Connection, name: str) -> bool:
    """True when the table or view exists in the warehouse."""
    return bool(conn.execute(sql(QUERIES, "relation_exists"), {"name": name}).scalar())


def missing(conn: Connection, needs: Sequence[str], data: ReportData) -> bool:
    """True (noting what is missing) when one of the source tables does not exist yet."""
    absent = [relation for relation in needs if not relation_exists(conn, relation)]
    data.missing.extend(relation for relation in absent if relation not in data.missing)
    return bool(absent)


def fetch(
    conn: Connection, name: str, params: dict[str, Any], needs: Sequence[str], data: ReportData
) -> list[Row]:
    """Rows of a named query, or none (noting what is missing) when a source table does not exist yet."""
    if missing(conn, needs, data):
        return []
    return list(conn.execute(sql(QUERIES, name), params).all())


def load_report_data(conn: Connection, as_of: datetime, cutover: datetime) -> ReportData:
    """Read the last complete month's indicators, trend, 766 scorecard, backlog, findings, officials and
    petitions."""
    month = conn.execute(sql(QUERIES, "report_month"), {"as_of": as_of}).scalar()
    data = ReportData(as_of=as_of, month=month)
    params = {"as_of": as_of, "month_start": month, "cutover": cutover, "top_n": TOP_N}
    data.targets = dict(conn.execute(sql(QUERIES, "targets")).tuples().all())
    data.unit_names = dict(conn.execute(sql(QUERIES, "unit_names")).tuples().all())
    data.month_rows = fetch(conn, "month_indicators", params, [], data)
    data.trend_rows = fetch(conn, "trend_all", params, [], data)
    if month is not None and not missing(conn, SCORECARD_SOURCES, data):
        data.scorecards = load_scorecards(conn, month, as_of, TOP_N)
    data.snapshots = fetch(conn, "residue_snapshots", params, ["mart.backlog_residue_snapshot"], data)
    data.open_backlog = fetch(
        conn, "backlog_open_by_day", params, ["mart.backlog_reconciliation", "mart.fact_case"], data
    )
    late = fetch(conn, "late_cases_ranked", params, ["mart.fact_case", "staging.case"], data)
    data.late_units = [row for row in late if row.ranking == "unit"]
    data.late_officials = [row for row in late if row.ranking == "official"]
    data.residue_rows = fetch(conn, "residue_work_list", params, ["mart.residue_case"], data)
    data.dq_rows = fetch(conn, "dq_month_offenders", params, ["mart.dq_offender"], data)
    data.official_rows = fetch(conn, "officials_review", params, ["mart.fact_case", "staging.case"], data)
    petitions = ["mart.fact_petition"]
    data.petition_rows = fetch(conn, "petition_month_by_unit", params, petitions, data)
    data.overdue_petition_rows = fetch(conn, "overdue_petitions_work_list", params, petitions, data)
    return data
