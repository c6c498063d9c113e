"""The Decision 766 scorecard as leadership reads it, per unit and for the Department: the six groups with
their points, each metric's counts, ratio, score and maximum, the metrics the sources cannot feed as no
data, the total out of the points that have data, the change against the previous month, and where the
points were lost (the cases, procedures and petitions that cost them). Read from `mart.score766_monthly`;
shown by the monthly page (`templates/score766.html.j2`) and the periodic workbook's sheet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from psycopg import sql as pgsql
from sqlalchemy import Connection, Row, text

from core.sql_files import render, sql
from transform.petitions import RATINGS_IN_FORCE
from transform.score766 import GROUPS, METRICS, NO_DATA_METRICS, PETITION_METRICS, SCORE766_SQL, Metric

NO_DATA = "không có dữ liệu"
REASON_LABELS = {
    "late": "trễ hạn",
    "dissatisfied": "đánh giá không hài lòng",
    "petitioned": "bị phản ánh, kiến nghị",
    "not_synced": "chưa đồng bộ Cổng DVC quốc gia",
    "not_digitized": "chưa số hóa",
    "paid_offline": "không thanh toán trực tuyến",
    "not_online": "không nộp trực tuyến",
    "no_e_result": "kết quả không có bản điện tử ký số",
    "no_online_payment": "không hồ sơ nào thanh toán trực tuyến",
    "petition_late": "PAKN xử lý trễ hạn",
    "disliked": "PAKN bị đánh giá không hài lòng",
    "complained": "PAKN bị phản ánh lại",
}
ITEM_WORDS = {"case": "hồ sơ", "procedure": "thủ tục", "petition": "PAKN"}
LABELS = {metric.code: metric.label for metric in (*METRICS, *NO_DATA_METRICS)}


@dataclass
class MetricLine:
    """One metric of a unit's card: its counts and score (None: no score), or no data at all."""

    metric: Metric
    numerator: int | None = None
    denominator: int | None = None
    ratio: Decimal | None = None
    score: Decimal | None = None
    no_data: bool = False

    @property
    def unscored_reason(self) -> str:
        """Why a metric with data has no score: before the cutover (a petition metric, scored even when its
        denominator is 0), else an empty denominator."""
        return "trước ngày chuyển đổi" if self.metric.code in PETITION_METRICS else "mẫu số bằng 0"


@dataclass
class GroupBlock:
    """One group of a unit's card: its metrics, its score and the points of it that have data."""

    code: str
    label: str
    points: int
    lines: list[MetricLine] = field(default_factory=list)
    previous: Decimal | None = None

    @property
    def score(self) -> Decimal | None:
        """The sum of its metrics' scores; None when none has one."""
        scored = [line.score for line in self.lines if line.score is not None]
        return sum(scored, Decimal(0)) if scored else None

    @property
    def points_with_data(self) -> int:
        """The points of the metrics that have a score."""
        return sum(line.metric.points for line in self.lines if line.score is not None)


@dataclass
class LostMetric:
    """A metric scored below its maximum: the points lost and the items outside its numerator."""

    code: str
    label: str
    points_lost: Decimal
    items: list[Row] = field(default_factory=list)
    total: int = 0
    word: str = "hồ sơ"


@dataclass
class UnitCard:
    """The scorecard of one unit (or ALL) for the report month."""

    unit_code: str
    groups: list[GroupBlock]
    previous_total: Decimal | None
    lost: list[LostMetric] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        """The points scored."""
        return sum((g.score for g in self.groups if g.score is not None), Decimal(0))

    @property
    def points_with_data(self) -> int:
        """The points of the metrics that have a score."""
        return sum(group.points_with_data for group in self.groups)

    @property
    def change(self) -> Decimal | None:
        """The total against the previous month's; None when that month has no score."""
        return None if self.previous_total is None else self.total - self.previous_total


def group_blocks(rows: Sequence[Row]) -> list[GroupBlock]:
    """The six groups of one unit's rows for one month, with the metrics that have no data."""
    by_code = {row.metric_code: row for row in rows}
    blocks = []
    for group in GROUPS:
        block = GroupBlock(group.code, group.label, group.points)
        for metric in (*METRICS, *NO_DATA_METRICS):
            if metric.group != group.code:
                continue
            row = by_code.get(metric.code)
            if row is None:
                block.lines.append(MetricLine(metric, no_data=True))
            else:
                block.lines.append(MetricLine(metric, row.numerator, row.denominator, row.ratio, row.score))
        blocks.append(block)
    return blocks


def lost_metrics(groups: list[GroupBlock], lost_rows: Sequence[Row]) -> list[LostMetric]:
    """The metrics scored below their maximum, with their items, in the card's order."""
    items: dict[str, list[Row]] = {}
    for row in lost_rows:
        items.setdefault(row.metric_code, []).append(row)
    lost = []
    for group in groups:
        for line in group.lines:
            if line.score is None or line.score >= line.metric.points:
                continue
            found = items.get(line.metric.code, [])
            word = ITEM_WORDS[found[0].item_kind] if found else "hồ sơ"
            total = int(found[0].items) if found else 0
            metric = line.metric
            lost.append(LostMetric(metric.code, metric.label, metric.points - line.score, found, total, word))
    return lost


def unit_cards(score_rows: Sequence[Row], lost_rows: Sequence[Row], month: date) -> list[UnitCard]:
    """The cards of the Department (first) and of each unit with a row in the month."""
    current: dict[str, list[Row]] = {}
    previous: dict[str, list[Row]] = {}
    for row in score_rows:
        (current if row.period_month == month else previous).setdefault(row.unit_code, []).append(row)
    lost_by_unit: dict[str, list[Row]] = {}
    for row in lost_rows:
        lost_by_unit.setdefault(row.unit_code, []).append(row)
    cards = []
    for unit in sorted(current, key=lambda code: (code != "ALL", code)):
        groups = group_blocks(current[unit])
        before = group_blocks(previous[unit]) if unit in previous else None
        if before is not None:
            for group, earlier in zip(groups, before, strict=True):
                group.previous = earlier.score
        previous_total = None
        if before is not None and any(g.score is not None for g in before):
            previous_total = sum((g.score for g in before if g.score is not None), Decimal(0))
        card = UnitCard(unit, groups, previous_total)
        if unit != "ALL":
            card.lost = lost_metrics(groups, lost_by_unit.get(unit, []))
        cards.append(card)
    return cards


def load_scorecards(conn: Connection, month: date, as_of: datetime, top_n: int | None) -> list[UnitCard]:
    """The cards of `month`: the scorecard rows of it and the month before, and the first `top_n` items of
    each metric below its maximum (all when None)."""
    scores = conn.execute(sql(SCORE766_SQL, "month_scores"), {"month": month}).all()
    params: dict[str, Any] = {"month": month, "as_of": as_of, "top_n": top_n}
    lost_items = render(SCORE766_SQL, "lost_items", ratings_in_force=pgsql.SQL(RATINGS_IN_FORCE))
    lost = conn.execute(text(lost_items), params).all()
    return unit_cards(scores, lost, month)


def reasons_text(reasons: str) -> str:
    """The reasons of one item in Vietnamese."""
    return "; ".join(REASON_LABELS.get(code, code) for code in reasons.split(",") if code)


def points(value: Decimal | None) -> str:
    """Points with two decimals (Vietnamese decimal comma), or a dash."""
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def signed_points(value: Decimal | None) -> str:
    """A change of points with its sign, or a dash."""
    return "–" if value is None else ("+" if value > 0 else "") + points(value)
