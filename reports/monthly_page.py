"""The monthly report's page: one self-contained HTML file (inline CSS, PNG charts, a print stylesheet) for
the review, rendered from `templates/monthly.html.j2` with every value autoescaped.

It opens on the last complete month; the current month appears only in the trends, marked provisional.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import Row

from core.files import write_atomically
from core.local_time import LOCAL_ZONE, local_date, month_of
from core.presentation import percent as ratio_percent
from reports.monthly_charts import INDICATOR_ORDER, Chart
from reports.monthly_data import TOP_N, ReportData
from reports.score766_section import NO_DATA, points, reasons_text, signed_points
from resources import settings as settings_module
from transform.indicators import INDICATOR_LABELS

PAGE_NAME = "bao-cao.html"
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
RESIDUE_HEADERS = [
    "STT", "Số hồ sơ Egov", "Mã thủ tục", "Ngày nhận", "Hẹn trả", "Số ngày tồn", "Số ngày quá hạn",
    "Cán bộ xử lý cuối trên Egov",
]  # fmt: skip
PETITION_CLASSIFICATIONS = {1: "Quy định, chính sách, TTHC", 2: "Hành vi, thái độ cán bộ"}
PETITION_CHANNELS = {
    1: "Cổng DVC quốc gia", 2: "Tổng đài 1022", 3: "Hệ thống PAKN tỉnh", 4: "Trực tiếp, thư",
    5: "Thư điện tử", 9: "Khác",
}  # fmt: skip
PETITION_RATES = ("petition_on_time_rate", "petition_satisfaction_rate")
OVERDUE_PETITION_HEADERS = [
    "STT", "Mã PAKN", "Mã đơn vị", "Phân loại", "Kênh tiếp nhận", "Ngày đến đơn vị", "Hạn xử lý",
    "Số ngày quá hạn",
]  # fmt: skip
TEMPLATES = Environment(
    loader=PackageLoader("reports"), autoescape=True, undefined=StrictUndefined, trim_blocks=True,
    lstrip_blocks=True,
)  # fmt: skip
TEMPLATES.filters["base64"] = lambda png: base64.b64encode(png).decode("ascii")


def percent(value: Any) -> str:
    """A ratio as a Vietnamese percentage with one decimal."""
    return ratio_percent(value, decimal_mark=",")


def local_text(moment: datetime | None) -> str:
    """A time as a local `dd/mm/yyyy`, or a dash."""
    return "–" if moment is None else moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y")


def grouped(rows: Sequence[Row], column: str) -> dict[Any, list[Row]]:
    """Rows grouped by one column, in their order."""
    groups: dict[Any, list[Row]] = {}
    for row in rows:
        groups.setdefault(getattr(row, column), []).append(row)
    return groups


def rule_label(expectation: str) -> str:
    """A data-quality rule's Vietnamese name, with its code."""
    return f"{RULE_LABELS.get(expectation, expectation)} ({expectation})"


def unit_label(data: ReportData, unit_code: str | None) -> str:
    """A unit's name with its code, or the whole Department for ALL."""
    if unit_code == "ALL":
        return "Toàn Sở (ALL)"
    name = data.unit_names.get(unit_code or "")
    return f"{name} ({unit_code})" if name else str(unit_code)


def classification_label(code: int | None) -> str:
    """A petition's classification (PhanLoai) in Vietnamese, or that it is not classified yet."""
    return PETITION_CLASSIFICATIONS.get(code, "Chưa phân loại") if code is not None else "Chưa phân loại"


def indicator_matrix(data: ReportData) -> list[tuple[str, list[Row | None]]]:
    """Per unit (in the rows' order), its row of each indicator, or None."""
    by_key = {(row.unit_code, row.indicator_code): row for row in data.month_rows}
    units = dict.fromkeys(row.unit_code for row in data.month_rows)
    return [(unit, [by_key.get((unit, code)) for code in INDICATOR_ORDER]) for unit in units]


def render_html(data: ReportData, charts: dict[str, Chart]) -> str:
    """The whole report page."""
    label = partial(unit_label, data)
    return TEMPLATES.get_template("monthly.html.j2").render(
        data=data,
        charts=charts,
        month_label=data.month.strftime("%m/%Y") if data.month else "–",
        provisional=month_of(data.as_of).strftime("%m/%Y"),
        as_of_date=local_date(data.as_of).strftime("%d/%m/%Y"),
        matrix=indicator_matrix(data),
        indicator_order=INDICATOR_ORDER,
        indicator_labels=INDICATOR_LABELS,
        scorecards=data.scorecards,
        no_data=NO_DATA,
        points=points,
        signed_points=signed_points,
        reasons_text=reasons_text,
        residue_headers=RESIDUE_HEADERS,
        top_n=TOP_N,
        percent=percent,
        local_text=local_text,
        grouped=grouped,
        rule_label=rule_label,
        unit_label=label,
        unit_label_of_row=lambda row: label(row.unit_code),
        official_of_row=lambda row: str(row.official),
        petition_rates=PETITION_RATES,
        overdue_petition_headers=OVERDUE_PETITION_HEADERS,
        classification_label=classification_label,
        channel_label=lambda code: PETITION_CHANNELS.get(code, str(code)),
    )


def write_report(data: ReportData, charts: dict[str, Chart], folder: Path) -> Path:
    """Write the PNG files and the HTML page into `folder` (each a new file renamed into place: nothing
    found in the published folder chooses where they go); return the page's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for chart in charts.values():
        write_atomically(folder / chart.name, chart.png)
    page = folder / PAGE_NAME
    write_atomically(page, render_html(data, charts).encode("utf-8"))
    return page


def report_folder(data: ReportData) -> Path:
    """`<reports dir>/<YYYY-MM>` of the report month."""
    label = (data.month or month_of(data.as_of)).strftime("%Y-%m")
    return settings_module.reports_dir() / label
