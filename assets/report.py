"""The monthly report: a self-contained HTML page (inline CSS, PNG charts, print stylesheet) for the review.

It opens on the last complete month; the current month appears only in the trends, marked provisional.
"""

import base64
import hashlib
import html
import io
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sqlalchemy import Connection, Row

from core import asset_keys as keys
from core.asset_keys import WAREHOUSE_POOL
from core.files import write_atomically
from core.local_time import LOCAL_ZONE, local_date, month_of
from core.presentation import percent as ratio_percent
from core.run_clock import run_started_at
from core.sql_files import sql
from resources import settings as settings_module
from resources.settings import PipelineSettings
from resources.warehouse import WarehouseResource
from transform.indicators import INDICATOR_LABELS

QUERIES = "queries/report.sql"
CHART_CACHE_FOLDER = "chart-cache"
CHART_CACHE_DAYS = 7
CHART_ENTRY = re.compile(r"[0-9a-f]{64}\.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
MAX_CHART_BYTES = 16 * 2**20
# Every text of a chart is drawn as written: no mathtext (`$…$`), no TeX.
CHART_TEXT = {"text.parse_math": False, "text.usetex": False}
CHART_LABEL_CHARS = 60
CHART_BREAKS = re.compile("[\t\n\v\f\r\x85\u2028\u2029]")
CHART_UNDRAWABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
TOP_N = 10
INDICATOR_ORDER = list(INDICATOR_LABELS)
RULE_LABELS = {
    "closed_case_has_result": "Hồ sơ đã giải quyết nhưng không có kết quả",
    "late_case_has_apology": "Hồ sơ trễ hạn không có phiếu xin lỗi",
    "stopped_case_has_reason": "Hồ sơ tạm dừng không ghi lý do",
    "official_account_vneid": "Công chức chưa dùng tài khoản VNeID",
    "egov_no_receipt_after_cutover": "Hồ sơ tiếp nhận trên Egov sau ngày chuyển đổi",
    "case_dates_in_order": "Ngày hẹn trả hoặc ngày kết thúc trước ngày tiếp nhận",
    "case_synced_to_national_portal": "Hồ sơ chưa đồng bộ Cổng Dịch vụ công quốc gia",
    "case_procedure_in_catalog": "Thủ tục không có trong danh mục",
}
POINT_LABELS = {
    "progress_points": "Tiến độ giải quyết (20)",
    "online_service_points": "Dịch vụ trực tuyến (12)",
    "online_payment_points": "Thanh toán trực tuyến (10)",
    "digitization_points": "Số hóa hồ sơ (22)",
    "satisfaction_points": "Mức độ hài lòng (18)",
    "estimated_points": "Tổng điểm ước tính",
    "available_points": "Điểm tối đa có dữ liệu",
}
ESTIMATE_NOTE = (
    "Điểm Bộ chỉ số 766 (Quyết định 766/QĐ-TTg) chỉ là ƯỚC TÍNH từ dữ liệu hồ sơ, không phải điểm "
    "công bố trên Cổng Dịch vụ công quốc gia: Tiến độ giải quyết = 20 × tỷ lệ đúng hạn; Dịch vụ trực "
    "tuyến = 12 × tỷ lệ hồ sơ nộp trực tuyến; Thanh toán trực tuyến = 10 × tỷ lệ thanh toán trực tuyến; "
    "Số hóa hồ sơ = 22 × trung bình tỷ lệ số hóa và tỷ lệ kết quả điện tử; Mức độ hài lòng = 18 × tỷ lệ "
    "hài lòng. Nhóm Công khai, minh bạch (18 điểm) không có trong dữ liệu nên không tính."
)
CSS = """
body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px auto;max-width:1100px;color:#1f2933}
h1{font-size:24px;border-bottom:3px solid #b91c1c;padding-bottom:6px}
h2{font-size:19px;margin-top:32px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #cbd2d9;padding:4px 8px}th{background:#f0f4f8;text-align:left}
td.num{text-align:right}td.ok{background:#e3f9e5}td.bad{background:#ffe3e3}
img{max-width:100%;border:1px solid #e4e7eb;margin:8px 0}.note{font-size:12px;color:#52606d}
.muted{color:#9aa5b1}h3{font-size:15px;margin:18px 0 4px}td.key{font-family:'DejaVu Sans Mono',monospace}
.more{font-style:italic;color:#52606d}
@page{size:A4 portrait;margin:12mm}
@media print{body{margin:0;max-width:none;font-size:11px}h1{font-size:20px}
h2{page-break-after:avoid;font-size:16px}h3{page-break-after:avoid}table{font-size:10px;page-break-inside:auto}tr,figure{page-break-inside:avoid}
img{border:none;max-height:230mm}section{page-break-before:always}section:first-of-type{page-break-before:auto}}
"""


@dataclass
class Chart:
    """One rendered chart: file name, caption and PNG bytes."""

    name: str
    caption: str
    png: bytes


@dataclass(frozen=True)
class ChartSpec:
    """A chart of the report: file name and caption, how it is drawn, the `ReportData` fields it reads."""

    name: str
    caption: str
    draw: Callable[["ReportData"], Figure]
    inputs: tuple[str, ...]


@dataclass
class ReportData:
    """Everything the report shows, read from the warehouse."""

    as_of: datetime
    month: date | None
    targets: dict[str, Any] = field(default_factory=dict)
    unit_names: dict[str, str] = field(default_factory=dict)
    month_rows: list[Row] = field(default_factory=list)
    trend_rows: list[Row] = field(default_factory=list)
    points_rows: list[Row] = field(default_factory=list)
    snapshots: list[Row] = field(default_factory=list)
    open_backlog: list[Row] = field(default_factory=list)
    late_units: list[Row] = field(default_factory=list)
    late_officials: list[Row] = field(default_factory=list)
    residue_rows: list[Row] = field(default_factory=list)
    dq_rows: list[Row] = field(default_factory=list)
    official_rows: list[Row] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def relation_exists(conn: Connection, name: str) -> bool:
    """True when the table or view exists in the warehouse."""
    return bool(conn.execute(sql(QUERIES, "relation_exists"), {"name": name}).scalar())


def fetch(
    conn: Connection, name: str, params: dict[str, Any], needs: Sequence[str], data: ReportData
) -> list[Row]:
    """Rows of a named query, or none (noting what is missing) when a source table does not exist yet."""
    absent = [relation for relation in needs if not relation_exists(conn, relation)]
    if absent:
        data.missing.extend(relation for relation in absent if relation not in data.missing)
        return []
    return list(conn.execute(sql(QUERIES, name), params).all())


def load_report_data(conn: Connection, as_of: datetime, cutover: datetime) -> ReportData:
    """Read the last complete month's indicators, trend, 766 estimate, backlog, findings and officials."""
    month = conn.execute(sql(QUERIES, "report_month"), {"as_of": as_of}).scalar()
    data = ReportData(as_of=as_of, month=month)
    params = {"as_of": as_of, "month_start": month, "cutover": cutover, "top_n": TOP_N}
    data.targets = dict(conn.execute(sql(QUERIES, "targets")).tuples().all())
    data.unit_names = dict(conn.execute(sql(QUERIES, "unit_names")).tuples().all())
    data.month_rows = fetch(conn, "month_indicators", params, [], data)
    data.trend_rows = fetch(conn, "trend_all", params, [], data)
    data.points_rows = fetch(conn, "month_766", params, [], data)
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
    return data


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def chart_label(value: Any) -> str:
    """A source text as a chart label: on one line (breaks become spaces), characters no font draws become
    U+FFFD, cut to CHART_LABEL_CHARS (ending in `…`). Drawn under CHART_TEXT, `$` is shown as written."""
    text = CHART_UNDRAWABLE.sub("\ufffd", CHART_BREAKS.sub(" ", str(value)))
    return text if len(text) <= CHART_LABEL_CHARS else text[: CHART_LABEL_CHARS - 1] + "…"


def render_chart(spec: ChartSpec, data: "ReportData") -> Chart:
    """Draw a chart with CHART_TEXT in force (every text literal) and render it to PNG."""
    with matplotlib.rc_context(CHART_TEXT):
        return Chart(spec.name, spec.caption, png_bytes(spec.draw(data)))


def all_units_chart(data: ReportData) -> Figure:
    """Bar chart: each indicator of the whole Department against its target."""
    rows = {row.indicator_code: row for row in data.month_rows if row.unit_code == "ALL"}
    codes = [code for code in INDICATOR_ORDER if code in rows]
    figure = Figure(figsize=(9, 0.5 * max(len(codes), 1) + 1.2))
    axes = figure.subplots()
    values = [float(rows[code].value) * 100 for code in codes]
    colours = ["#2f855a" if rows[code].meets_target else "#c53030" for code in codes]
    axes.barh([INDICATOR_LABELS[code] for code in codes], values, color=colours)
    for position, code in enumerate(codes):
        if rows[code].target is not None:
            axes.plot(
                [float(rows[code].target) * 100] * 2, [position - 0.4, position + 0.4], color="#1a202c", lw=2
            )
    axes.invert_yaxis()
    axes.set_xlim(0, 105)
    axes.set_xlabel("% (vạch đen: chỉ tiêu)")
    axes.set_title("Toàn Sở: chỉ số so với chỉ tiêu")
    return figure


def trend_chart(data: ReportData) -> Figure:
    """Small multiples: 12 months of each indicator for the whole Department and the provisional month."""
    figure = Figure(figsize=(12, 9))
    grid = figure.subplots(3, 3)
    months = sorted({row.period_month for row in data.trend_rows})
    complete = [month for month in months if data.month is None or month <= data.month]
    for axes, code in zip(grid.flat, INDICATOR_ORDER, strict=True):
        values = {
            row.period_month: float(row.value) * 100 for row in data.trend_rows if row.indicator_code == code
        }
        axes.plot(
            range(len(complete)),
            [values.get(month, float("nan")) for month in complete],
            marker="o",
            color="#2b6cb0",
        )
        if len(months) > len(complete):
            tail = range(max(len(complete) - 1, 0), len(months))
            axes.plot(
                tail, [values.get(months[i], float("nan")) for i in tail], linestyle=":", color="#718096"
            )
            axes.plot(
                range(len(complete), len(months)),
                [values.get(month, float("nan")) for month in months[len(complete) :]],
                marker="o", markerfacecolor="white", linestyle="none", color="#718096",
            )  # fmt: skip
        if data.targets.get(code) is not None:
            axes.axhline(float(data.targets[code]) * 100, color="#c53030", linestyle="--", lw=1)
        axes.set_title(INDICATOR_LABELS[code], fontsize=9)
        axes.set_ylim(0, 105)
        axes.set_xticks(range(len(months)), [month_tick(data, month) for month in months])
        axes.tick_params(axis="x", labelrotation=60, labelsize=7)
    figure.suptitle("Xu hướng 12 tháng (toàn Sở; nét đứt đỏ: chỉ tiêu; điểm rỗng: tháng hiện tại, tạm tính)")
    figure.tight_layout()
    return figure


def month_tick(data: ReportData, month: date) -> str:
    """`MM/YY`, with `(tạm tính)` for a month after the report month."""
    label = month.strftime("%m/%y")
    return f"{label}\n(tạm tính)" if data.month is not None and month > data.month else label


def burndown_chart(data: ReportData) -> Figure:
    """Backlog still open on Egov since the cutover, and the residue snapshots."""
    figure = Figure(figsize=(10, 4))
    axes = figure.subplots()
    if data.open_backlog:
        axes.plot(
            [row.day for row in data.open_backlog], [row.still_open for row in data.open_backlog],
            color="#2b6cb0", label="Hồ sơ tồn chưa kết thúc (theo ngày kết thúc)",
        )  # fmt: skip
    if data.snapshots:
        axes.step(
            [row.as_of_date for row in data.snapshots], [row.residue for row in data.snapshots],
            where="post", color="#c53030", marker="o", label="Hồ sơ tồn trên Egov (ảnh chụp hằng ngày)",
        )  # fmt: skip
    if not (data.open_backlog or data.snapshots):
        axes.text(0.5, 0.5, "Chưa có dữ liệu", ha="center", va="center", transform=axes.transAxes)
    else:
        axes.legend(loc="upper right", fontsize=8)
    axes.set_ylim(bottom=0)
    axes.set_title("Tiến độ xử lý hồ sơ tồn từ thời điểm chuyển đổi hệ thống")
    figure.autofmt_xdate()
    return figure


def late_chart(data: ReportData) -> Figure:
    """Bar charts of the units and officials with the most late cases this month (source names as
    `chart_label`s, one bar each even when two labels read the same)."""
    figure = Figure(figsize=(11, 4))
    left, right = figure.subplots(1, 2)
    for axes, rows, label, title in (
        (left, data.late_units, "unit_code", "Đơn vị"),
        (right, data.late_officials, "official", "Cán bộ xử lý cuối"),
    ):
        names = [chart_label(getattr(row, label)) for row in rows]
        axes.barh(range(len(rows)), [row.late_cases for row in rows], color="#dd6b20")
        axes.set_yticks(range(len(rows)), names)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.invert_yaxis()
        axes.set_title(f"{title}: hồ sơ không đúng hạn", fontsize=10)
        if not rows:
            axes.text(0.5, 0.5, "Không có", ha="center", va="center", transform=axes.transAxes)
    figure.tight_layout()
    return figure


CHARTS: dict[str, ChartSpec] = {
    "all": ChartSpec(
        "chi-so-toan-so.png", "Chỉ số của toàn Sở so với chỉ tiêu (xanh: đạt, đỏ: chưa đạt)", all_units_chart,
        ("month_rows",),
    ),
    "trend": ChartSpec(
        "xu-huong-12-thang.png", "Xu hướng 12 tháng của từng chỉ số, toàn Sở", trend_chart,
        ("trend_rows", "month", "targets"),
    ),
    "burndown": ChartSpec(
        "ho-so-ton.png", "Hồ sơ tồn trên hệ thống Egov từ ngày chuyển đổi", burndown_chart,
        ("open_backlog", "snapshots"),
    ),
    "late": ChartSpec(
        "ho-so-tre-han.png", "Đơn vị và cán bộ có nhiều hồ sơ không đúng hạn nhất", late_chart,
        ("late_units", "late_officials"),
    ),
}  # fmt: skip


class ChartCache:
    """Charts drawn once per content: a chart whose inputs are unchanged is read back, not drawn again.

    The entry of a chart is `<key>.png` in a private folder: the key is the SHA-256 of the chart's spec (name,
    caption, drawing code), the matplotlib version and the `ReportData` fields the chart reads; it holds the
    PNG bytes only. The chart's file name and caption always come from its spec, never from the cache, and an
    entry that is not a complete PNG (or a link, or too large) is drawn again. Entries unused for
    CHART_CACHE_DAYS are pruned.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.drawn = 0
        self.reused = 0

    def chart(self, data: ReportData, spec: ChartSpec) -> Chart:
        """The chart of `data`, read back when drawn before from the same inputs."""
        entry = self.folder / f"{self.key(data, spec)}.png"
        stored = read_chart_entry(entry)
        if stored is not None:
            os.utime(entry, follow_symlinks=False)
            self.reused += 1
            return Chart(spec.name, spec.caption, stored)
        chart = render_chart(spec, data)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomically(entry, chart.png, mode=0o600)
        self.drawn += 1
        return chart

    @staticmethod
    def key(data: ReportData, spec: ChartSpec) -> str:
        """The hex SHA-256 naming a chart's entry: its spec, its drawing code and matplotlib, its inputs."""
        code = spec.draw.__code__
        drawing = (spec.name, spec.caption, spec.draw.__qualname__, code.co_code, code.co_consts,
                   matplotlib.__version__, sorted(CHART_TEXT.items()))  # fmt: skip
        content = repr((drawing, [getattr(data, name) for name in spec.inputs]))
        return hashlib.sha256(content.encode()).hexdigest()

    def prune(self) -> None:
        """Remove entries not used for CHART_CACHE_DAYS."""
        if not self.folder.is_dir():
            return
        oldest = time.time() - CHART_CACHE_DAYS * 86_400
        for entry in self.folder.iterdir():
            if CHART_ENTRY.fullmatch(entry.name) and entry.lstat().st_mtime < oldest:
                entry.unlink(missing_ok=True)


def chart_cache_folder() -> Path:
    """The chart cache: private to the pipeline, in the data folder, never in the published reports folder."""
    return settings_module.data_dir() / CHART_CACHE_FOLDER


def read_chart_entry(entry: Path) -> bytes | None:
    """The PNG bytes of a cache entry: a regular file (not a link) holding a complete PNG of at most
    MAX_CHART_BYTES; None otherwise."""
    try:
        if not entry.is_file() or entry.is_symlink() or entry.stat().st_size > MAX_CHART_BYTES:
            return None
        content = entry.read_bytes()
    except OSError:
        return None
    if content.startswith(PNG_SIGNATURE) and content.endswith(PNG_END):
        return content
    return None


def unit_label(data: ReportData, unit_code: str | None) -> str:
    """A unit's name with its code, or the whole Department for ALL."""
    if unit_code == "ALL":
        return "Toàn Sở (ALL)"
    name = data.unit_names.get(unit_code or "")
    return f"{name} ({unit_code})" if name else str(unit_code)


def cell(value: Any, css: str = "num") -> str:
    """One table cell with escaped text."""
    text_value = "–" if value is None else str(value)
    return f'<td class="{css}">{html.escape(text_value)}</td>'


def percent(value: Any) -> str:
    """A ratio as a Vietnamese percentage with one decimal."""
    return ratio_percent(value, decimal_mark=",")


def indicator_matrix(data: ReportData) -> str:
    """Table: one row per unit, one column per indicator, value coloured by whether it meets the target."""
    units = list(dict.fromkeys(row.unit_code for row in data.month_rows))
    by_key = {(row.unit_code, row.indicator_code): row for row in data.month_rows}
    header = "".join(
        f"<th>{html.escape(INDICATOR_LABELS[code])}<br>"
        f"<span class='note'>chỉ tiêu {percent(data.targets.get(code))}</span></th>"
        for code in INDICATOR_ORDER
    )
    body = []
    for unit in units:
        cells = []
        for code in INDICATOR_ORDER:
            row = by_key.get((unit, code))
            if row is None:
                cells.append('<td class="muted">–</td>')
                continue
            css = "num ok" if row.meets_target else "num bad"
            title = html.escape(f"{row.numerator}/{row.denominator}")
            cells.append(
                f'<td class="{css}" title="{title}">{percent(row.value)}<br>'
                f'<span class="note">{title}</span></td>'
            )
        body.append(f"<tr><th>{html.escape(unit_label(data, unit))}</th>{''.join(cells)}</tr>")
    return f"<table><tr><th>Đơn vị</th>{header}</tr>{''.join(body)}</table>"


def points_table(data: ReportData) -> str:
    """Table of the estimated 766 group points per unit."""
    header = "".join(f"<th>{html.escape(label)}</th>" for label in POINT_LABELS.values())
    body = "".join(
        f"<tr><th>{html.escape(unit_label(data, row.unit_code))}</th>"
        + "".join(cell(getattr(row, column)) for column in POINT_LABELS)
        + "</tr>"
        for row in data.points_rows
    )
    note = f"<p class='note'>{html.escape(ESTIMATE_NOTE)}</p>"
    return f"<table><tr><th>Đơn vị</th>{header}</tr>{body}</table>{note}"


def ranking_table(rows: list[Row], label: Callable[[Row], str], heading: str) -> str:
    """A two-column ranking table."""
    body = "".join(f"<tr>{cell(label(row), '')}{cell(row.late_cases)}</tr>" for row in rows)
    return f"<table><tr><th>{html.escape(heading)}</th><th>Số hồ sơ không đúng hạn</th></tr>{body}</table>"


def local_text(moment: datetime | None) -> str:
    """A time as a local `dd/mm/yyyy`, or a dash."""
    return "–" if moment is None else moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y")


def table(headers: Sequence[str], body: Sequence[str], css: str = "") -> str:
    """A table with a header row and the given body rows."""
    head = "".join(f"<th>{html.escape(label)}</th>" for label in headers)
    return f"<table class='{css}'><tr>{head}</tr>{''.join(body)}</table>"


def more_line(shown: int, total: int, what: str) -> str:
    """`… và N <what> khác` when a list was cut, else nothing."""
    if total <= shown:
        return ""
    return f"<p class='more'>… và {total - shown} {html.escape(what)} khác.</p>"


RESIDUE_HEADERS = [
    "STT", "Số hồ sơ Egov", "Mã thủ tục", "Ngày nhận", "Hẹn trả", "Số ngày tồn", "Số ngày quá hạn",
    "Cán bộ xử lý cuối trên Egov",
]


def unit_sections(
    element_id: str, rows: Sequence[Row], empty: str, section: Callable[[Any, list[Row]], list[str]]
) -> str:
    """A block with one section per unit of `rows` (in their order), or a paragraph saying there is none."""
    if not rows:
        return f"<p id='{element_id}'>{html.escape(empty)}</p>"
    parts = [f"<div id='{element_id}'>"]
    for unit, unit_rows in grouped(rows, "unit_code").items():
        parts.extend(section(unit, unit_rows))
    parts.append("</div>")
    return "".join(parts)


def residue_work_list(data: ReportData) -> str:
    """Per unit, the oldest residue cases first: days open and overdue, and the last Egov official."""

    def section(unit: Any, rows: list[Row]) -> list[str]:
        total = rows[0].unit_cases
        body = [
            f"<tr>{cell(row.position)}{cell(row.legacy_case_no, 'key')}{cell(row.procedure_code, '')}"
            f"{cell(local_text(row.received_at), '')}{cell(local_text(row.due_at), '')}{cell(row.days_open)}"
            f"{cell(row.days_overdue)}{cell(row.last_official, '')}</tr>"
            for row in rows
        ]
        return [
            f"<h3>{html.escape(unit_label(data, unit))}: {total} hồ sơ tồn</h3>",
            table(RESIDUE_HEADERS, body, "residue"),
            more_line(len(rows), total, "hồ sơ"),
        ]

    return unit_sections("residue-list", data.residue_rows, "Không còn hồ sơ tồn trên Egov.", section)


def grouped(rows: Sequence[Row], column: str) -> dict[Any, list[Row]]:
    """Rows grouped by one column, in their order."""
    groups: dict[Any, list[Row]] = {}
    for row in rows:
        groups.setdefault(getattr(row, column), []).append(row)
    return groups


def rule_label(expectation: str) -> str:
    """A data-quality rule's Vietnamese name, with its code."""
    return f"{RULE_LABELS.get(expectation, expectation)} ({expectation})"


def dq_findings(data: ReportData) -> str:
    """Per unit, each rule's offenders of the month: the count and the cases (never applicant data)."""

    def section(unit: Any, rows: list[Row]) -> list[str]:
        rules = grouped(rows, "expectation")
        counts = "".join(
            f"<tr>{cell(rule_label(rule), '')}{cell(found[0].rule_cases)}</tr>"
            for rule, found in rules.items()
        )
        parts = [
            f"<h3>{html.escape(unit_label(data, unit or None) if unit else 'Chưa rõ đơn vị')}</h3>",
            table(["Quy tắc", "Số vi phạm"], [counts], "dq-counts"),
        ]
        for rule, found in rules.items():
            body = [
                f"<tr>{cell(row.record_key, 'key')}{cell(unit_label(data, row.unit_code or None), '')}"
                f"{cell(local_text(row.received_at), '')}{cell(local_text(row.due_at), '')}"
                f"{cell(local_text(row.finished_at), '')}{cell(row.last_official, '')}</tr>"
                for row in found
            ]
            parts.append(f"<p class='note'>{html.escape(rule_label(rule))}</p>")
            parts.append(table(["Mã hồ sơ", "Đơn vị", "Ngày nhận", "Hẹn trả", "Ngày kết thúc",
                                "Cán bộ xử lý cuối"], body, "dq-cases"))  # fmt: skip
            parts.append(more_line(len(found), found[0].rule_cases, "hồ sơ"))
        return parts

    return unit_sections("dq-findings", data.dq_rows, "Không có phát hiện nào trong tháng.", section)


def officials_review(data: ReportData) -> str:
    """Per official: the month's late cases (with an apology), closed without result, stopped unexplained."""
    if not data.official_rows:
        return "<p id='officials-review'>Không có cán bộ nào cần rà soát trong tháng.</p>"
    rows = data.official_rows[: TOP_N * 3]
    body = [
        f"<tr>{cell(row.official, '')}{cell(row.units, '')}{cell(row.late_cases)}"
        f"{cell(row.late_with_apology)}{cell(row.closed_without_result)}{cell(row.stopped_without_reason)}</tr>"
        for row in rows
    ]
    headers = ["Cán bộ (tên đăng nhập)", "Đơn vị", "Hồ sơ trễ hạn", "Trong đó có phiếu xin lỗi",
               "Kết thúc không có kết quả", "Tạm dừng không ghi lý do"]  # fmt: skip
    return (
        "<div id='officials-review'>" + table(headers, body, "officials")
        + more_line(len(rows), len(data.official_rows), "cán bộ") + "</div>"
    )  # fmt: skip


def image_tag(chart: Chart) -> str:
    """An <img> with the chart embedded as base64, and its caption."""
    encoded = base64.b64encode(chart.png).decode("ascii")
    caption = html.escape(chart.caption)
    return (
        f'<figure><img alt="{caption}" src="data:image/png;base64,{encoded}"><figcaption class="note">'
        f"{caption}</figcaption></figure>"
    )


def render_html(data: ReportData, charts: dict[str, Chart]) -> str:
    """The whole report page."""
    month_label = data.month.strftime("%m/%Y") if data.month else "–"
    provisional = month_of(data.as_of).strftime("%m/%Y")
    missing = (
        f"<p class='note'>Chưa có bảng nguồn: {html.escape(', '.join(data.missing))}.</p>"
        if data.missing
        else ""
    )
    sections = [
        f"<h1>Báo cáo kết quả giải quyết thủ tục hành chính – tháng {month_label}</h1>",
        f"<p class='note'>Sở Y tế Đồng Nai. Số liệu đến {data.as_of.strftime('%d/%m/%Y %H:%M %z')} "
        f"(ngày {local_date(data.as_of).strftime('%d/%m/%Y')}). "
        "Không chứa dữ liệu cá nhân của người nộp hồ sơ.</p>",
        missing,
        f"<section><h2>1. Chỉ số tháng {month_label} so với chỉ tiêu theo đơn vị</h2>",
        image_tag(charts["all"]),
        indicator_matrix(data),
        "<h2>2. Xu hướng 12 tháng</h2>",
        f"<p class='note'>Tháng {provisional} chưa kết thúc: số liệu tạm tính, chỉ để tham khảo.</p>",
        image_tag(charts["trend"]),
        "<h2>3. Điểm ước tính theo Bộ chỉ số 766 (ước tính)</h2>",
        points_table(data),
        "</section><section><h2>4. Hồ sơ tồn trên hệ thống Egov từ ngày chuyển đổi</h2>",
        image_tag(charts["burndown"]),
        f"<p class='note'>Danh sách hồ sơ tồn theo đơn vị, cũ nhất trước (tối đa {TOP_N} hồ sơ mỗi đơn vị); "
        f"số ngày tính đến ngày {local_date(data.as_of).strftime('%d/%m/%Y')}.</p>",
        residue_work_list(data),
        f"</section><section><h2>5. Phát hiện về chất lượng dữ liệu trong tháng {month_label}</h2>",
        "<p class='note'>Hồ sơ vi phạm quy tắc của các công văn, tiếp nhận hoặc kết thúc trong tháng, theo "
        f"đơn vị (tối đa {TOP_N} hồ sơ mỗi quy tắc). Không có dữ liệu của người nộp hồ sơ.</p>",
        dq_findings(data),
        f"</section><section><h2>6. Rà soát cán bộ tháng {month_label} (Công văn 01/2025)</h2>",
        "<p class='note'>Theo cán bộ xử lý cuối của các hồ sơ kết thúc trong tháng: hồ sơ trễ hạn và số có "
        "phiếu xin lỗi, hồ sơ kết thúc không có kết quả, hồ sơ tạm dừng không ghi lý do.</p>",
        officials_review(data),
        "</section><section><h2>7. Đơn vị và cán bộ có nhiều hồ sơ không đúng hạn</h2>",
        "<p class='note'>Hồ sơ không đúng hạn trong tháng, tính như chỉ số đúng hạn (hồ sơ đang giải quyết "
        "được xét tại cuối tháng hoặc thời điểm lập báo cáo); cán bộ là người xử lý cuối cùng "
        "(tên đăng nhập).</p>",
        image_tag(charts["late"]),
        ranking_table(data.late_units, lambda row: unit_label(data, row.unit_code), "Đơn vị"),
        ranking_table(data.late_officials, lambda row: str(row.official), "Cán bộ (tên đăng nhập)"),
        "</section>",
    ]
    body = "\n".join(part for part in sections if part)
    return (
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
        f"<title>Báo cáo TTHC tháng {month_label}</title><style>{CSS}</style></head>"
        f"<body>\n{body}\n</body></html>"
    )


def write_report(data: ReportData, charts: dict[str, Chart], folder: Path) -> Path:
    """Write the PNG files and the HTML page into `folder` (each a new file renamed into place: nothing
    found in the published folder chooses where they go); return the page's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for chart in charts.values():
        write_atomically(folder / chart.name, chart.png)
    page = folder / "bao-cao.html"
    write_atomically(page, render_html(data, charts).encode("utf-8"))
    return page


def report_folder(data: ReportData) -> Path:
    """`<reports dir>/<YYYY-MM>` of the report month."""
    label = (data.month or month_of(data.as_of)).strftime("%Y-%m")
    return settings_module.reports_dir() / label


@dg.asset(
    pool=WAREHOUSE_POOL,
    key=keys.MONTHLY_REPORT,
    deps=[
        keys.INDICATOR_MONTHLY,
        keys.INDICATOR_766_ESTIMATE,
        keys.FACT_CASE,
        keys.BACKLOG_RESIDUE_SNAPSHOT,
        keys.BACKLOG_RECONCILIATION,
        keys.RESIDUE_CASE,
        keys.DQ_RESULTS,
    ],
    kinds={"html"},
)
def monthly_report(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.MaterializeResult:
    """Monthly HTML report (Vietnamese) of the last complete month: indicators against targets, trends with
    the current month provisional, 766 estimate, residue work list and burn-down, data-quality findings
    per unit, officials' monthly review (letter 01/2025), late cases.
    """
    as_of = run_started_at(context)
    with warehouse.begin() as conn:
        data = load_report_data(conn, as_of, settings.cutover())
    cache = ChartCache(chart_cache_folder())
    charts = {name: cache.chart(data, spec) for name, spec in CHARTS.items()}
    cache.prune()
    page = write_report(data, charts, report_folder(data))
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(page)),
            "month": data.month.isoformat() if data.month else "none",
            "charts": ", ".join(chart.name for chart in charts.values()),
            "charts_drawn": cache.drawn,
            "charts_reused": cache.reused,
            "missing_sources": ", ".join(data.missing) or "none",
        }
    )
