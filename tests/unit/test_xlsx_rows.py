"""The rows streamed into a saved workbook are the bytes openpyxl's writer puts for the same cells, and read
back as the same values (texts kept literally: padding, markup characters, formula and error look-alikes,
characters XML cannot carry, empty texts, numbers)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from reports.period_form import styled
from reports.xlsx_rows import RowBlock, StreamedRows, saved_workbook

ROWS = [
    ("A", " padded ", "=SUM(A1:A2)", 1.25, 1),
    ("#N/A", "a & b < c > d", "", 0.1 + 0.2, 2),
    ("+1", "tab\there\nline", "bell\x07 and \ud800", 10**17, 3),
    ("@x", "  ", "Điểm 766 bị mất", 0.0, 4),
]


def a_book(streamed_from: int | None) -> tuple[bytes, str]:
    """A workbook of a header and ROWS: every row written by openpyxl (None), or the rows after
    `streamed_from` streamed; its bytes and the member of the sheet."""
    book = Workbook()
    sheet = book.active
    sheet["A1"].value = "header"
    sheet["A1"].font = Font(bold=True)
    left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    written = ROWS if streamed_from is None else ROWS[:streamed_from]
    for number, values in enumerate(written, start=2):
        for column, value in enumerate(values, start=1):
            styled(sheet, number, column, value, align=left)
    streamed = None
    if streamed_from is not None:
        streamed = StreamedRows(sheet, 2 + streamed_from, sheet["A2"], RowBlock(ROWS[streamed_from:], 5))
    content = saved_workbook(book, streamed)
    return content, sheet.path.lstrip("/")


def test_streamed_rows_are_the_bytes_openpyxl_writes() -> None:
    whole, member = a_book(None)
    streamed, _ = a_book(1)
    expected, got = zipfile.ZipFile(io.BytesIO(whole)), zipfile.ZipFile(io.BytesIO(streamed))
    assert got.namelist() == expected.namelist()
    for name in expected.namelist():
        if name != "docProps/core.xml":  # its creation time
            assert got.read(name) == expected.read(name), name
    sheet = load_workbook(io.BytesIO(streamed)).active
    assert sheet.max_row == 1 + len(ROWS)
    assert sheet["B3"].value == "a & b < c > d" and sheet["C2"].value == "=SUM(A1:A2)"
    assert sheet["C4"].value == "bell\ufffd and \ufffd" and sheet["B2"].value == " padded "
    assert sheet["D4"].value == 10**17 and member.endswith("sheet1.xml")
    as_written = load_workbook(io.BytesIO(whole)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        [c.value for c in row] for row in as_written.iter_rows()
    ]


def test_no_rows_leave_the_workbook_as_saved() -> None:
    whole, _ = a_book(None)
    streamed, _ = a_book(len(ROWS))
    names = zipfile.ZipFile(io.BytesIO(whole)).namelist()
    assert names == zipfile.ZipFile(io.BytesIO(streamed)).namelist()
