"""The sheet "Điểm 766 bị mất" of the periodic workbook: for the report month (the last complete month), per
unit, every metric of the Decision 766 scorecard below its maximum, the points lost and each case, procedure
or petition that cost them, with the reasons, for a unit head to work through (all items, not ten)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core.local_time import LOCAL_ZONE
from reports.period_form import styled
from reports.score766_section import UnitCard, reasons_text
from reports.xlsx_rows import RowBlock, StreamedRows

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written
    from openpyxl import Workbook

SHEET_TITLE = "Điểm 766 bị mất"
HEADERS = ("Đơn vị", "Chỉ tiêu", "Mã chỉ tiêu", "Điểm bị mất", "STT", "Loại", "Mã", "Hạn", "Lý do")
WIDTHS = (18, 40, 32, 12, 6, 10, 26, 12, 48)
KINDS = {"case": "Hồ sơ", "procedure": "Thủ tục", "petition": "PAKN"}


def due_date_text(due_at: datetime | None) -> str:
    """A due time as its local date `dd/mm/yyyy` (whatever the session's time zone), or empty."""
    return "" if due_at is None else f"{due_at.astimezone(LOCAL_ZONE):%d/%m/%Y}"


@dataclass
class ItemRows:
    """The sheet's rows, one per item of each unit's metrics below their maximum (units by code): the first
    (written as a cell of the sheet) and the others (streamed into each saved workbook in its style)."""

    first: tuple[Any, ...] | None
    rest: RowBlock


def item_rows(cards: list[UnitCard]) -> ItemRows:
    """The rows of the items of the cards."""
    rows = [
        (
            card.unit_code, lost.label, lost.code, round(float(lost.points_lost), 2), item.position,
            KINDS.get(item.item_kind, item.item_kind), item.item_key,
            due_date_text(item.due_at), reasons_text(item.reasons),
        )
        for card in cards
        for lost in card.lost
        for item in lost.items
    ]  # fmt: skip
    return ItemRows(rows[0] if rows else None, RowBlock(rows[1:], len(HEADERS)))


def write_points_lost_sheet(book: Workbook, rows: ItemRows, month: date) -> StreamedRows | None:
    """Add the sheet: a title line, the header, then the item rows (the first written here, the others
    returned to be streamed into the saved workbook); a line saying so when no unit lost a point."""
    from openpyxl.styles import Alignment

    left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    sheet = book.create_sheet(SHEET_TITLE)
    title = f"Điểm Bộ chỉ số 766 bị mất tháng {month:%m/%Y}, theo đơn vị (không có dữ liệu cá nhân)"
    styled(sheet, 1, 1, title, bold=True, size=13, align=left, border=False)
    for column, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        styled(sheet, 3, column, header, bold=True)
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
    sheet.freeze_panes = "A4"
    if rows.first is None:
        styled(sheet, 4, 1, "Không đơn vị nào bị mất điểm ở chỉ tiêu có dữ liệu.", align=left, border=False)
        return None
    for column, value in enumerate(rows.first, start=1):
        styled(sheet, 4, column, value, align=left)
    return StreamedRows(sheet, 5, sheet.cell(row=4, column=1), rows.rest)
