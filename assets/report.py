"""The monthly report: a self-contained HTML page (inline CSS, PNG charts) of indicators and backlog."""

import base64
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sqlalchemy import Connection, Row

from assets.indicators import FACT_CASE, INDICATOR_766, INDICATOR_LABELS, INDICATOR_MONTHLY, month_of
from assets.run_clock import local_date, run_started_at
from resources import settings as settings_module
from resources.settings import PipelineSettings
from resources.sql_files import sql
from resources.warehouse import WarehouseResource

QUERIES = "queries/report.sql"
REPORT = dg.AssetKey(["report", "monthly"])
RESIDUE_SNAPSHOT = dg.AssetKey(["mart", "backlog_residue_snapshot"])
RECONCILIATION = dg.AssetKey(["mart", "backlog_reconciliation"])
INDICATOR_ORDER = list(INDICATOR_LABELS)
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
.muted{color:#9aa5b1}
"""


@dataclass
class Chart:
    """One rendered chart: file name, caption and PNG bytes."""

    name: str
    caption: str
    png: bytes


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
    """Read the report month's indicators, trend, 766 estimate, backlog history and late cases."""
    month = conn.execute(sql(QUERIES, "report_month"), {"as_of": as_of}).scalar()
    data = ReportData(as_of=as_of, month=month)
    params = {"as_of": as_of, "month_start": month or month_of(as_of), "cutover": cutover}
    data.targets = dict(conn.execute(sql(QUERIES, "targets")).tuples().all())
    data.unit_names = dict(conn.execute(sql(QUERIES, "unit_names")).tuples().all())
    data.month_rows = fetch(conn, "month_indicators", params, [], data)
    data.trend_rows = fetch(conn, "trend_all", params, [], data)
    data.points_rows = fetch(conn, "month_766", params, [], data)
    data.snapshots = fetch(conn, "residue_snapshots", params, ["mart.backlog_residue_snapshot"], data)
    data.open_backlog = fetch(
        conn, "backlog_open_by_day", params, ["mart.backlog_reconciliation", "mart.fact_case"], data
    )
    data.late_units = fetch(conn, "late_cases_by_unit", params, ["mart.fact_case"], data)
    data.late_officials = fetch(
        conn, "late_cases_by_official", params, ["mart.fact_case", "staging.case"], data
    )
    return data


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def all_units_chart(data: ReportData) -> Chart:
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
    return Chart(
        "chi-so-toan-so.png",
        "Chỉ số của toàn Sở so với chỉ tiêu (xanh: đạt, đỏ: chưa đạt)",
        png_bytes(figure),
    )


def trend_chart(data: ReportData) -> Chart:
    """Small multiples: the last 12 months of each indicator for the whole Department, with its target."""
    figure = Figure(figsize=(12, 9))
    grid = figure.subplots(3, 3)
    months = sorted({row.period_month for row in data.trend_rows})
    for axes, code in zip(grid.flat, INDICATOR_ORDER, strict=True):
        values = {
            row.period_month: float(row.value) * 100 for row in data.trend_rows if row.indicator_code == code
        }
        axes.plot(
            range(len(months)),
            [values.get(month, float("nan")) for month in months],
            marker="o",
            color="#2b6cb0",
        )
        if data.targets.get(code) is not None:
            axes.axhline(float(data.targets[code]) * 100, color="#c53030", linestyle="--", lw=1)
        axes.set_title(INDICATOR_LABELS[code], fontsize=9)
        axes.set_ylim(0, 105)
        axes.set_xticks(range(len(months)), [month.strftime("%m/%y") for month in months])
        axes.tick_params(axis="x", labelrotation=60, labelsize=7)
    figure.suptitle("Xu hướng 12 tháng (toàn Sở; nét đứt: chỉ tiêu)")
    figure.tight_layout()
    return Chart("xu-huong-12-thang.png", "Xu hướng 12 tháng của từng chỉ số, toàn Sở", png_bytes(figure))


def burndown_chart(data: ReportData) -> Chart:
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
    return Chart("ho-so-ton.png", "Hồ sơ tồn trên hệ thống Egov từ ngày chuyển đổi", png_bytes(figure))


def late_chart(data: ReportData) -> Chart:
    """Bar charts of the units and officials with the most late cases this month."""
    figure = Figure(figsize=(11, 4))
    left, right = figure.subplots(1, 2)
    for axes, rows, label, title in (
        (left, data.late_units, "unit_code", "Đơn vị"),
        (right, data.late_officials, "official", "Cán bộ xử lý cuối"),
    ):
        names = [str(getattr(row, label)) for row in rows]
        axes.barh(names, [row.late_cases for row in rows], color="#dd6b20")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.invert_yaxis()
        axes.set_title(f"{title}: hồ sơ không đúng hạn", fontsize=10)
        if not rows:
            axes.text(0.5, 0.5, "Không có", ha="center", va="center", transform=axes.transAxes)
    figure.tight_layout()
    return Chart(
        "ho-so-tre-han.png", "Đơn vị và cán bộ có nhiều hồ sơ không đúng hạn nhất", png_bytes(figure)
    )


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
    return "–" if value is None else f"{float(value) * 100:.1f}%".replace(".", ",")


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
        "<h2>1. Chỉ số so với chỉ tiêu theo đơn vị</h2>",
        image_tag(charts["all"]),
        indicator_matrix(data),
        "<h2>2. Xu hướng 12 tháng</h2>",
        image_tag(charts["trend"]),
        "<h2>3. Điểm ước tính theo Bộ chỉ số 766 (ước tính)</h2>",
        points_table(data),
        "<h2>4. Hồ sơ tồn trên hệ thống Egov từ ngày chuyển đổi</h2>",
        image_tag(charts["burndown"]),
        "<h2>5. Đơn vị và cán bộ có nhiều hồ sơ không đúng hạn</h2>",
        "<p class='note'>Hồ sơ không đúng hạn trong tháng, tính như chỉ số đúng hạn (hồ sơ đang giải quyết "
        "được xét tại cuối tháng hoặc thời điểm lập báo cáo); cán bộ là người xử lý cuối cùng "
        "(tên đăng nhập).</p>",
        image_tag(charts["late"]),
        ranking_table(data.late_units, lambda row: unit_label(data, row.unit_code), "Đơn vị"),
        ranking_table(data.late_officials, lambda row: str(row.official), "Cán bộ (tên đăng nhập)"),
    ]
    body = "\n".join(part for part in sections if part)
    return (
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
        f"<title>Báo cáo TTHC tháng {month_label}</title><style>{CSS}</style></head>"
        f"<body>\n{body}\n</body></html>"
    )


def write_report(data: ReportData, charts: dict[str, Chart], folder: Path) -> Path:
    """Write the PNG files and the HTML page into `folder`; return the page's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for chart in charts.values():
        (folder / chart.name).write_bytes(chart.png)
    page = folder / "bao-cao.html"
    page.write_text(render_html(data, charts), encoding="utf-8")
    return page


def report_folder(data: ReportData) -> Path:
    """`<reports dir>/<YYYY-MM>` of the report month."""
    label = (data.month or month_of(data.as_of)).strftime("%Y-%m")
    return settings_module.reports_dir() / label


@dg.asset(
    key=REPORT,
    deps=[INDICATOR_MONTHLY, INDICATOR_766, FACT_CASE, RESIDUE_SNAPSHOT, RECONCILIATION],
    group_name="reports",
    kinds={"html"},
    description="Monthly HTML report (Vietnamese): indicators, 766 estimate, backlog burn-down, late cases.",
)
def monthly_report(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: PipelineSettings
) -> dg.MaterializeResult:
    """Render the report of the latest month into the data folder's `reports/`."""
    as_of = run_started_at(context)
    with warehouse.begin() as conn:
        data = load_report_data(conn, as_of, settings.cutover())
    charts = {
        "all": all_units_chart(data),
        "trend": trend_chart(data),
        "burndown": burndown_chart(data),
        "late": late_chart(data),
    }
    page = write_report(data, charts, report_folder(data))
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(page)),
            "month": data.month.isoformat() if data.month else "none",
            "charts": ", ".join(chart.name for chart in charts.values()),
            "missing_sources": ", ".join(data.missing) or "none",
        }
    )
