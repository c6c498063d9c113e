"""The periodic TTHC report as filed (Circular 01/2020/TT-VPCP): one `.xlsx` per period, in the form's layout,
written from the mart `mart.tthc_period_report`.

Each workbook has a sheet for the whole Department and one per unit. The form has two label columns (STT,
Lĩnh vực) and the eleven counts of `mart.tthc_period_report`, numbered (1)…(13) left to right. Every text is
stored as a string, literally (`cell_text`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from core.files import write_atomically
from core.sql_files import sql

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written, not when the code location loads
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Border
    from openpyxl.worksheet.worksheet import Worksheet

    from reports.xlsx_rows import StreamedRows

QUERIES = "queries/period_form.sql"
DEFAULT_FORM_NUMBER = "Biểu số 06/VPCP/KSTT"
AGENCY = "SỞ Y TẾ TỈNH ĐỒNG NAI"
DEPARTMENT = "Sở Y tế tỉnh Đồng Nai"
TITLE = (
    "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC "
    "HÀNH CHÍNH"
)
UNIT_LINE = "Đơn vị tính: Số hồ sơ TTHC"
NOT_IN_CATALOGUE = "Thủ tục không có trong danh mục"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
MONTHS = {"quarter": 3, "half": 6, "year": 12}
PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>Q[1-4]|H[12]))?$")
# The form's counts, left to right: received (total, online, in person and postal, carried over), resolved
# (total, early, on time, late), pending (total, within due, overdue).
FORM_COLUMNS = (
    "received_total", "received_online", "received_offline", "carried_over", "resolved_total",
    "resolved_early", "resolved_on_time", "resolved_late", "pending_total", "pending_within_due",
    "pending_overdue",
)  # fmt: skip
# What a cell's text may hold: XML 1.0 characters (no control character but tab and line feed, no lone
# surrogate, not U+FFFE/U+FFFF), each other one replaced by U+FFFD; at most Excel's 32,767 UTF-16 units.
NOT_IN_A_CELL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"
CELL_TEXT_UNITS = 32_767
CUT_MARK = "…"
HEADER_ROW = 8
NUMBER_ROW = 11
FIRST_DATA_ROW = 12
LAST_COLUMN = 2 + len(FORM_COLUMNS)
FONT = "Times New Roman"
# (first row, first column, last row, last column, text) of the merged group headers.
HEADERS = (
    (8, 1, 10, 1, "STT"),
    (8, 2, 10, 2, "Lĩnh vực, công việc giải quyết"),
    (8, 3, 8, 6, "Số hồ sơ nhận giải quyết"),
    (8, 7, 8, 10, "Số hồ sơ đã giải quyết"),
    (8, 11, 8, 13, "Số hồ sơ đang giải quyết"),
    (9, 3, 10, 3, "Tổng số"),
    (9, 4, 9, 5, "Trong kỳ"),
    (10, 4, 10, 4, "Trực tuyến"),
    (10, 5, 10, 5, "Trực tiếp và bưu chính"),
    (9, 6, 10, 6, "Từ kỳ trước"),
    (9, 7, 10, 7, "Tổng số"),
    (9, 8, 10, 8, "Trước hạn"),
    (9, 9, 10, 9, "Đúng hạn"),
    (9, 10, 10, 10, "Quá hạn"),
    (9, 11, 10, 11, "Tổng số"),
    (9, 12, 10, 12, "Trong hạn"),
    (9, 13, 10, 13, "Quá hạn"),
)


@dataclass(frozen=True)
class ReportPeriod:
    """A quarter, half or year: kind and `[start, end)`."""

    kind: str
    start: date
    end: date

    @property
    def code(self) -> str:
        """`2026-Q3`, `2026-H1` or `2026`."""
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.start.year}-H{(self.start.month - 1) // 6 + 1}"
        return str(self.start.year)

    def label(self) -> str:
        """The form's period line, e.g. `Quý III/2026 (từ 01/07/2026 đến 30/09/2026)`."""
        year = self.start.year
        if self.kind == "quarter":
            name = f"Quý {ROMAN[(self.start.month - 1) // 3 + 1]}/{year}"
        elif self.kind == "half":
            name = f"6 tháng {'đầu' if self.start.month == 1 else 'cuối'} năm {year}"
        else:
            name = f"Năm {year}"
        last_day = self.end - timedelta(days=1)
        return f"{name} (từ {self.start:%d/%m/%Y} đến {last_day:%d/%m/%Y})"


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after that of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_period(code: str) -> ReportPeriod:
    """A period from `YYYY-Qn`, `YYYY-Hn` or `YYYY`; a clear error otherwise."""
    match = PERIOD_PATTERN.match(code.strip())
    if match is None:
        raise ValueError(f"period {code!r} is not YYYY-Q1..Q4, YYYY-H1/H2 or YYYY")
    year, part = int(match["year"]), match["part"]
    if part is None:
        kind, start = "year", date(year, 1, 1)
    elif part[0] == "Q":
        kind, start = "quarter", date(year, (int(part[1]) - 1) * 3 + 1, 1)
    else:
        kind, start = "half", date(year, (int(part[1]) - 1) * 6 + 1, 1)
    return ReportPeriod(kind, start, add_months(start, MONTHS[kind]))


def latest_complete(kind: str, today: date) -> ReportPeriod:
    """The latest period of a kind that ended on or before `today`."""
    length = MONTHS[kind]
    current = date(today.year, (today.month - 1) // length * length + 1, 1)
    return ReportPeriod(kind, add_months(current, -length), current)


@dataclass
class SheetData:
    """One sheet: the reporting unit, its field rows (name, counts) and its totals."""

    title: str
    unit_name: str
    fields: list[tuple[str, dict[str, int]]]
    totals: dict[str, int]


def cell_text(value: str) -> str:
    """Text as a cell holds it, literally: characters XML cannot carry become U+FFFD, a carriage return a line
    break (as XML reads it back), and a text longer than a cell holds is cut (ending in `…`)."""
    text = NOT_IN_A_CELL.sub(REPLACEMENT, value.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) * 2 <= CELL_TEXT_UNITS:
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * CELL_TEXT_UNITS:
        return text
    return units[: 2 * (CELL_TEXT_UNITS - len(CUT_MARK))].decode("utf-16-le", "ignore") + CUT_MARK


def put_value(target: Cell, value: Any) -> None:
    """A number as a number; a text as `cell_text` of it, typed a string, so that no text is ever read as
    a formula (`=`, `+`, `-`, `@`) or an error code (`#N/A`)."""
    if isinstance(value, str):
        target.value = cell_text(value)
        target.data_type = "s"
    else:
        target.value = value


def field_label(field_code: str, names: dict[str, str]) -> str:
    """A field's name from the catalogue; the catalogue-less field has its own label."""
    if field_code == "":
        return NOT_IN_CATALOGUE
    return names.get(field_code) or field_code


def sheet_title(unit_code: str, used: set[str]) -> str:
    """A worksheet title for a unit: its code without the characters Excel or XML forbid (nor an apostrophe
    at either end), unique ignoring case (as Excel compares titles), 31 characters at most."""
    base = re.sub(r"[\[\]:*?/\\]", "-", NOT_IN_A_CELL.sub("-", unit_code)).strip("'")[:28] or "DV"
    title, number = base, 2
    while title.casefold() in used:
        title, number = f"{base[:26]}~{number}", number + 1
    used.add(title.casefold())
    return title


def load_sheets(conn: Connection, period: ReportPeriod) -> list[SheetData]:
    """The sheets of one period: the Department first, then each unit by code."""
    params = {"period_kind": period.kind, "period_start": period.start}
    rows = [dict(row) for row in conn.execute(sql(QUERIES, "period_rows"), params).mappings()]
    if not rows:
        return []
    field_names = dict(conn.execute(sql(QUERIES, "field_names")).tuples().all())
    unit_names = dict(conn.execute(sql(QUERIES, "unit_names")).tuples().all())
    units = sorted({row["unit_code"] for row in rows} - {"ALL"})
    used = {"Toàn Sở".casefold()}
    sheets = []
    for unit in ["ALL", *units]:
        own = [row for row in rows if row["unit_code"] == unit]
        totals = next(row for row in own if row["field_code"] == "ALL")
        fields = sorted(
            (row for row in own if row["field_code"] != "ALL"),
            key=lambda row: (row["field_code"] == "", field_label(row["field_code"], field_names)),
        )
        sheets.append(
            SheetData(
                title="Toàn Sở" if unit == "ALL" else sheet_title(unit, used),
                unit_name=DEPARTMENT if unit == "ALL" else f"{unit_names.get(unit) or unit} ({unit})",
                fields=[(field_label(row["field_code"], field_names), row) for row in fields],
                totals=totals,
            )
        )
    return sheets


@cache
def form_styles() -> tuple[Border, Alignment]:
    """The table's thin box and its centred, wrapped alignment."""
    from openpyxl.styles import Alignment, Border, Side

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    return box, Alignment(horizontal="center", vertical="center", wrap_text=True)


def styled(sheet: Worksheet, row: int, column: int, value: Any, *, bold: bool = False, size: int = 11,
           align: Alignment | None = None, border: bool = True) -> None:  # fmt: skip
    """Write one cell (`put_value`) in the form's font, aligned (centred unless told), boxed when in the
    table."""
    from openpyxl.styles import Font

    box, centre = form_styles()
    target = sheet.cell(row=row, column=column)
    put_value(target, value)
    target.font = Font(name=FONT, size=size, bold=bold)
    target.alignment = align or centre
    if border:
        target.border = box


def merged_text(sheet: Worksheet, row: int, first: int, last: int, value: str, **style: Any) -> None:
    """A text spanning columns `first..last` of one row, without borders."""
    sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    styled(sheet, row, first, value, border=False, **style)


def write_heading(sheet: Worksheet, data: SheetData, period: ReportPeriod, form_number: str) -> None:
    """The agency and unit, the form number in the corner, the title, the period and the unit of count."""
    from openpyxl.styles import Alignment

    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    merged_text(sheet, 1, 1, 5, AGENCY, bold=True, align=left)
    merged_text(sheet, 2, 1, 5, f"Đơn vị báo cáo: {data.unit_name}", align=left)
    merged_text(sheet, 1, 10, LAST_COLUMN, form_number, bold=True)
    merged_text(sheet, 2, 10, LAST_COLUMN, "Kèm theo Thông tư số 01/2020/TT-VPCP", size=10)
    merged_text(sheet, 4, 1, LAST_COLUMN, TITLE, bold=True, size=13)
    merged_text(sheet, 5, 1, LAST_COLUMN, f"Kỳ báo cáo: {period.label()}", bold=True)
    merged_text(sheet, 6, 1, LAST_COLUMN, "Đơn vị nhận báo cáo: Văn phòng Ủy ban nhân dân tỉnh Đồng Nai")
    right = Alignment(horizontal="right", vertical="center")
    merged_text(sheet, 7, 10, LAST_COLUMN, UNIT_LINE, align=right)
    sheet.row_dimensions[4].height = 36


def write_table_header(sheet: Worksheet) -> None:
    """The merged group headers and the row of column numbers (1)…(13)."""
    box, _ = form_styles()
    for first_row, first_column, last_row, last_column, label in HEADERS:
        for row in range(first_row, last_row + 1):
            for column in range(first_column, last_column + 1):
                sheet.cell(row=row, column=column).border = box
        if (first_row, first_column) != (last_row, last_column):
            sheet.merge_cells(
                start_row=first_row, start_column=first_column, end_row=last_row, end_column=last_column
            )
        styled(sheet, first_row, first_column, label, bold=True)
    for column in range(1, LAST_COLUMN + 1):
        styled(sheet, NUMBER_ROW, column, f"({column})", size=10)
    sheet.row_dimensions[9].height = 24
    sheet.row_dimensions[10].height = 48


def write_rows(sheet: Worksheet, data: SheetData) -> int:
    """The field rows and the totals row; return the totals row's number."""
    from openpyxl.styles import Alignment

    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")
    row = FIRST_DATA_ROW
    for number, (name, counts) in enumerate(data.fields, start=1):
        styled(sheet, row, 1, number)
        styled(sheet, row, 2, name, align=left)
        for offset, column in enumerate(FORM_COLUMNS, start=3):
            styled(sheet, row, offset, int(counts[column]), align=right)
        sheet.row_dimensions[row].height = 20
        row += 1
    styled(sheet, row, 1, "")
    styled(sheet, row, 2, "Tổng cộng", bold=True, align=left)
    for offset, column in enumerate(FORM_COLUMNS, start=3):
        styled(sheet, row, offset, int(data.totals[column]), bold=True, align=right)
    return row


def write_footer(sheet: Worksheet, totals_row: int, made_on: date) -> None:
    """Place and date, and the signatures."""
    row = totals_row + 2
    merged_text(
        sheet, row, 9, LAST_COLUMN, f"Đồng Nai, ngày {made_on:%d} tháng {made_on:%m} năm {made_on:%Y}"
    )
    merged_text(sheet, row + 1, 1, 5, "NGƯỜI LẬP BIỂU", bold=True)
    merged_text(sheet, row + 1, 9, LAST_COLUMN, "THỦ TRƯỞNG ĐƠN VỊ", bold=True)
    merged_text(sheet, row + 2, 1, 5, "(Ký, ghi rõ họ tên)", size=10)
    merged_text(sheet, row + 2, 9, LAST_COLUMN, "(Ký tên, đóng dấu)", size=10)


def set_print_layout(sheet: Worksheet) -> None:
    """Column widths, A4 landscape fitted to the page width, the header rows repeated on every page."""
    from openpyxl.utils import get_column_letter

    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 42
    for column in range(3, LAST_COLUMN + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 10.5
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{NUMBER_ROW}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=3)


def write_workbook(
    sheets: list[SheetData], period: ReportPeriod, form_number: str, made_on: date, path: Path,
    more: Callable[[Workbook], StreamedRows | None] | None = None,
) -> Path:  # fmt: skip
    """Write the period's workbook to `path` (a new file renamed into place), with the sheets `more` adds
    after the form's (and the rows it returns streamed into the saved file)."""
    from openpyxl import Workbook

    from reports.xlsx_rows import saved_workbook

    book = Workbook()
    book.remove(book.active)
    for data in sheets:
        sheet = book.create_sheet(data.title)
        write_heading(sheet, data, period, form_number)
        write_table_header(sheet)
        write_footer(sheet, write_rows(sheet, data), made_on)
        set_print_layout(sheet)
    streamed = None if more is None else more(book)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, saved_workbook(book, streamed))
    return path


def requested_periods(codes: list[str], today: date) -> list[ReportPeriod]:
    """The latest complete quarter, half and year, then the periods of `codes` (each once)."""
    periods = [latest_complete(kind, today) for kind in ("quarter", "half", "year")]
    for code in codes:
        period = parse_period(code)
        if period not in periods:
            periods.append(period)
    return periods


def form_file(folder: Path, period: ReportPeriod) -> Path:
    """The workbook of one period in `folder`."""
    return folder / f"bao-cao-tthc-{period.code}.xlsx"
