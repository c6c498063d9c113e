"""Rows of one cell style streamed into a worksheet of a saved `.xlsx` as XML: for a sheet of tens of
thousands of rows, which openpyxl's cell objects and writer take seconds to build. Each cell is written
byte for byte as openpyxl writes it (a text `cell_text` of it as an inline string, a number in openpyxl's
number text), so that a reader sees the same cells."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reports.period_form import cell_text

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

DIMENSION = re.compile(rb'<dimension ref="[^"]*" ?/>')
SHEET_DATA_END = b"</sheetData>"


@dataclass
class RowBlock:
    """Rows of one cell style, `last_column` cells each, to stream into a sheet of each of several workbooks:
    their XML rendered once per first row and style index."""

    rows: Sequence[Sequence[Any]]
    last_column: int
    rendered: dict[tuple[int, str], bytes] = field(default_factory=dict, repr=False)

    def xml(self, first_row: int, style: str) -> bytes:
        """The `<row>` elements of the rows numbered from `first_row`, every cell in the style `style`."""
        if (first_row, style) not in self.rendered:
            self.rendered[first_row, style] = "".join(rows_xml(self, first_row, style)).encode()
        return self.rendered[first_row, style]


@dataclass
class StreamedRows:
    """The rows of `block` for `sheet` from `first_row` on, every cell in the style of `styled_like` (a cell
    of the sheet; its index among the workbook's cell formats is read once saved, as the writer numbers
    them in the order it meets them)."""

    sheet: Worksheet
    first_row: int
    styled_like: Cell
    block: RowBlock


def cell_xml(reference: str, style: str, value: Any, number_text: Callable[[Any], str]) -> str:
    """One cell as openpyxl's writer puts it (text typed a string, kept literally)."""
    if isinstance(value, str):
        text = cell_text(value)
        if text == "":
            return f'<c r="{reference}" s="{style}" t="inlineStr" />'
        stripped = text.strip()
        space = ' xml:space="preserve"' if stripped and stripped != text else ""
        return f'<c r="{reference}" s="{style}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
    if value is None:
        return f'<c r="{reference}" s="{style}" t="n" />'
    return f'<c r="{reference}" s="{style}" t="n"><v>{number_text(value)}</v></c>'


def rows_xml(block: RowBlock, first_row: int, style: str) -> Iterable[str]:
    """The `<row>` elements of the block's rows."""
    from openpyxl.compat import safe_string
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(column) for column in range(1, block.last_column + 1)]
    for number, values in enumerate(block.rows, start=first_row):
        cells = "".join(
            cell_xml(f"{letter}{number}", style, value, safe_string)
            for letter, value in zip(letters, values, strict=True)
        )
        yield f'<row r="{number}">{cells}</row>'


def with_rows(sheet_xml: bytes, streamed: StreamedRows) -> bytes:
    """The worksheet's XML with the rows appended to its data and its dimension widened to them."""
    from openpyxl.utils import get_column_letter

    block = streamed.block
    if not block.rows:
        return sheet_xml
    last_row = streamed.first_row + len(block.rows) - 1
    dimension = f'<dimension ref="A1:{get_column_letter(block.last_column)}{last_row}" />'.encode()
    sheet_xml = DIMENSION.sub(dimension, sheet_xml, count=1)
    end = sheet_xml.index(SHEET_DATA_END)
    body = block.xml(streamed.first_row, str(streamed.styled_like.style_id))
    return sheet_xml[:end] + body + sheet_xml[end:]


def append_rows(content: bytes, streamed: StreamedRows) -> bytes:
    """The saved workbook `content` with the rows added to their worksheet (every other part as it was)."""
    member = streamed.sheet.path.lstrip("/")  # named when the workbook was saved
    source = zipfile.ZipFile(io.BytesIO(content))
    target_bytes = io.BytesIO()
    with zipfile.ZipFile(target_bytes, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                data = with_rows(data, streamed)
            target.writestr(info, data)
    return target_bytes.getvalue()


def saved_workbook(book: Workbook, streamed: StreamedRows | None) -> bytes:
    """The workbook's file content, with the streamed rows in their sheet."""
    content = io.BytesIO()
    book.save(content)
    return content.getvalue() if streamed is None else append_rows(content.getvalue(), streamed)
