"""The Decision 766 scorecard (`SCORE766_MONTHLY`): every metric these sources feed, scored per month and unit
as the portal scores it, from `mart.indicator_monthly` ("those of"), `mart.fact_case`, `mart.fact_petition`,
`mart.fact_rating` and the catalogue.

The metrics and groups are declared once here (`METRICS`, `GROUPS`, `NO_DATA_METRICS`); the rules of the
scores are in `queries/score766.sql`. In full, the build scores every month with an indicator row. Otherwise
it scores again the months the pending changes touch (the counting driver's affected months,
`transform.counting`) and the months whose indicator rows no longer agree with the scorecard, and publishes
those months as a difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from psycopg import sql as pgsql
from sqlalchemy import Connection

from core.sql_files import sql
from resources.publication import Publication, PublishedTable, publish_table
from transform.builds import Build, BuildRun, Param
from transform.case_universe import FACTS
from transform.counting import COUNTING_SQL, counts_hold, first_month, run_counting
from transform.indicators import INDICATOR_MONTHLY
from transform.petitions import FACT_RATING_SQL, PETITION_FACTS, RATINGS_IN_FORCE
from transform.statements import ALL_ROWS, run_template

SCORE766_SQL = "queries/score766.sql"
SCORE766_TABLE = PublishedTable("mart.score766_monthly", key=("period_month", "unit_code", "metric_code"))
SCORED_MONTH = "score_month"
IN_SCORED_MONTHS = f"t.period_month IN (SELECT period_month FROM {SCORED_MONTH})"


@dataclass(frozen=True)
class Group:
    """One of the portal's six groups: its code, its points and its Vietnamese name."""

    code: str
    points: int
    label: str


@dataclass(frozen=True)
class Metric:
    """One metric of the portal: its group, its code, its points, the indicator it takes its counts from
    ("those of"), and its Vietnamese name."""

    group: str
    code: str
    points: int
    indicator: str | None
    label: str


GROUPS = (
    Group("transparency", 18, "Công khai, minh bạch"),
    Group("progress", 20, "Tiến độ giải quyết"),
    Group("online_service", 12, "Dịch vụ công trực tuyến"),
    Group("online_payment", 10, "Thanh toán trực tuyến"),
    Group("satisfaction", 18, "Mức độ hài lòng"),
    Group("digitisation", 22, "Số hóa hồ sơ, kết quả"),
)
METRICS = (
    Metric("transparency", "DOSSIER_SYNC", 6, "national_sync_rate", "Hồ sơ đồng bộ Cổng DVC quốc gia"),
    Metric("progress", "ON_TIME", 20, "on_time_rate", "Hồ sơ giải quyết đúng hạn"),
    Metric("online_service", "ONLINE_FULL_PROCESS", 12, None, "Hồ sơ trực tuyến toàn trình (mức độ 4)"),
    Metric("online_payment", "PAID_ONLINE", 6, "online_payment_rate", "Hồ sơ thanh toán trực tuyến"),
    Metric("online_payment", "FEE_PROCEDURES_PAID_ONLINE", 4, None, "Thủ tục có phí thanh toán trực tuyến"),
    Metric("digitisation", "ORIGINAL_RESULT_AVAILABLE", 6, "e_result_rate", "Kết quả có bản điện tử ký số"),
    Metric("digitisation", "DOSSIER_DIGITIZED", 4, "digitized_rate", "Hồ sơ được số hóa"),
    Metric("satisfaction", "PETITION_PROCESSING_ON_TIME", 6, "petition_on_time_rate", "PAKN xử lý đúng hạn"),
    Metric("satisfaction", "PETITION_HANDLING_SATISFACTION", 6, "petition_satisfaction_rate",
           "Hài lòng về xử lý PAKN"),
    Metric("satisfaction", "DOSSIER_RECEIVING_SATISFACTION", 6, None,
           "Hài lòng về tiếp nhận, giải quyết hồ sơ"),
)  # fmt: skip
# The petition metrics: scored 6 when their denominator is 0, and null before the month of the cutover
# (queries/score766.sql, `compute`); the others are null exactly when their denominator is 0.
PETITION_METRICS = frozenset({"PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION"})
# The portal's metrics these sources cannot feed: no rows; a report shows them as no data with their points.
NO_DATA_METRICS = (
    Metric("transparency", "PUBLISH_ON_TIME", 6, None, "Công khai kết quả đúng hạn"),
    Metric("transparency", "PUBLIC_UPDATE_ON_TIME", 4, None, "Cập nhật công khai đúng hạn"),
    Metric("transparency", "PUBLIC_CONTENT_FULL", 2, None, "Nội dung công khai đầy đủ"),
    Metric("digitisation", "ELECTRONIC_CERTIFIED_COPY", 2, None, "Chứng thực bản sao điện tử"),
    Metric("digitisation", "REUSED_DIGITIZED_DATA", 2, None, "Tái sử dụng dữ liệu số hóa"),
    Metric("digitisation", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", 4, None, "Đồng bộ kho dữ liệu cá nhân"),
    Metric("digitisation", "CITIZEN_DATA_CONNECTED_DOSSIER", 2, None, "Hồ sơ kết nối dữ liệu dân cư"),
    Metric("digitisation", "CITIZEN_DATA_CONNECTED_FORMALITY", 2, None, "Thủ tục kết nối dữ liệu dân cư"),
)


def metric_values() -> pgsql.Composable:
    """The fed metrics as the rows of a `VALUES` list: group, metric, points, indicator."""
    return pgsql.SQL(", ").join(
        pgsql.SQL("({}, {}, {}::numeric, {}::text)").format(
            pgsql.Literal(m.group), pgsql.Literal(m.code), pgsql.Literal(m.points), pgsql.Literal(m.indicator)
        )
        for m in METRICS
    )


def group_values() -> pgsql.Composable:
    """The groups as the rows of a `VALUES` list: group, points."""
    return pgsql.SQL(", ").join(
        pgsql.SQL("({}, {}::numeric)").format(pgsql.Literal(g.code), pgsql.Literal(g.points)) for g in GROUPS
    )


def stage_scored_months(conn: Connection, run: BuildRun) -> int:
    """The months to score into `score_month`: every month with an indicator row (in full), or those the
    pending changes touch and those whose indicator rows disagree with the scorecard; returns how many."""
    if not run.full:
        run_counting(conn, "drop_affected_month")
        run_counting(
            conn, "create_affected_month", as_of=run.inputs.as_of, previous_as_of=run.previous_as_of,
            first_month=run.first_month, previous_first_month=run.previous_first_month, with_procedures=True,
            with_petitions=True,
        )  # fmt: skip
    run_template(conn, SCORE766_SQL, "drop_score_month")
    name = "create_score_month_full" if run.full else "create_score_month_affected"
    return run_template(conn, SCORE766_SQL, name, {"as_of": run.inputs.as_of}, metrics=metric_values())


def compute_score766(conn: Connection, run: BuildRun) -> Publication:
    """Score the months to score and publish them (every row in full, those months otherwise); or keep the
    scorecard when the counts it scores from hold at this as_of (the indicators' petition rates included)."""
    if counts_hold(conn, run, with_petitions=True):
        run.first_month = run.previous_first_month
        run.extra["unchanged"] = True
        return Publication()
    run.first_month = first_month(conn)
    months = stage_scored_months(conn, run)
    run.extra["months_scored"] = months
    if not run.full and not months:
        return Publication()
    run_template(conn, SCORE766_SQL, "create_score_new")
    run.rows_read = run_template(
        conn, SCORE766_SQL, "compute", {"as_of": run.inputs.as_of, "cutover": run.inputs.cutover},
        metrics=metric_values(), ratings_in_force=RATINGS_IN_FORCE,
    )  # fmt: skip
    return publish_table(conn, SCORE766_TABLE, "score_new", scope=ALL_ROWS if run.full else IN_SCORED_MONTHS)


def department_groups(conn: Connection, month: date) -> dict[str, Any]:
    """The Department's (ALL) rows per group for one month: its score and the points that have data."""
    found = conn.execute(sql(SCORE766_SQL, "department_groups"), {"month": month}).all()
    return {row.group_code: row for row in found}


SCORE766_MONTHLY = Build(
    "score766_monthly", publishes=SCORE766_TABLE.table, sql=(SCORE766_SQL, COUNTING_SQL, FACT_RATING_SQL),
    compute=compute_score766, after=(*FACTS, *PETITION_FACTS, INDICATOR_MONTHLY.name),
    params=(Param.AS_OF, Param.CUTOVER),
    shape=(repr(METRICS),),
)  # fmt: skip
