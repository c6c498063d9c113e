"""Source texts fuzzed into the report writers: the spreadsheet holds each as its sanitised text and never a
formula, the charts draw each as written (no mathtext), and neither ever raises."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import matplotlib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from openpyxl import load_workbook

from reports.monthly_charts import CHART_TEXT, CHARTS, PNG_SIGNATURE, chart_label, late_chart, render_chart
from reports.monthly_data import ReportData
from reports.period_form import (
    FIRST_DATA_ROW,
    FORM_COLUMNS,
    SheetData,
    cell_text,
    parse_period,
    sheet_title,
    write_workbook,
)

pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from:UserWarning")
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
FORMULA_LIKE = ["=1+1", '=HYPERLINK("http://evil.example","x")', "+1", "-1", "@SUM(A1)", "#N/A", "#REF!", "=",
                "==", "'=1", " =1", "=cmd|' /C calc'!A0"]  # fmt: skip
MATH_LIKE = ["$\\alpha$", "$x", "$$", "$\\frac$", "a$b$c$", "\\$", "$\\sqrt{x}$", "$^$"]
BIDI_MARKS = "\u202a\u202b\u202c\u202d\u202e\u200e\u200f\u2066\u2067\u2069"
ODD = ["\x00", "a\x07b", "\x1b[31m", "\u202eRTL\u200f", "\u200b", "\ufffe\uffff", "tab\there", "a\r\nb\rc",
       "_x0041_", "\x85\u2028", "😀" * 3]  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(FORMULA_LIKE + MATH_LIKE + ODD),
    st.text(max_size=8).map(lambda tail: "=" + tail),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=20),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),
    st.text(alphabet=st.sampled_from(BIDI_MARKS), max_size=5),
    st.builds(lambda part, times: part * times, st.text(min_size=1, max_size=3), st.integers(1_000, 40_000)),
)
PERIOD = parse_period("2025-Q2")


def counts(n: int = 0) -> dict[str, int]:
    """The eleven counts of a form row."""
    return dict.fromkeys(FORM_COLUMNS, n)


def written_cells(path: Path) -> list[Any]:
    """Every cell of every sheet of a workbook read back with openpyxl; asserts none is a formula and every
    text is typed a string."""
    cells = []
    for sheet in load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for found in row:
                assert found.data_type != "f", f"{sheet.title}!{found.coordinate} is a formula"
                assert not isinstance(found.value, str) or found.data_type == "s", found.coordinate
                cells.append(found)
    return cells


def nasty_workbook(path: Path, names: list[str], unit: str, code: str, form_number: str) -> Path:
    """A one-unit workbook whose field names, unit name and code and form number are the texts given."""
    used = {"Toàn Sở".casefold()}
    sheets = [
        SheetData("Toàn Sở", unit, [(name, counts(1)) for name in names], counts(len(names))),
        SheetData(sheet_title(code, used), f"{unit} ({code})", [(n, counts(2)) for n in names], counts(3)),
    ]
    return write_workbook(sheets, PERIOD, form_number, date(2025, 7, 3), path)


@FUZZ
@given(names=st.lists(TEXTS, min_size=1, max_size=4), unit=TEXTS, code=TEXTS, form_number=TEXTS)
def test_fuzzed_names_are_written_as_their_sanitised_text_never_a_formula(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], unit: str, code: str, form_number: str
) -> None:
    path = nasty_workbook(tmp_path_factory.mktemp("xlsx") / "report.xlsx", names, unit, code, form_number)
    written_cells(path)
    book = load_workbook(path)
    for sheet in book.worksheets:
        shown = [sheet.cell(row=FIRST_DATA_ROW + i, column=2).value for i in range(len(names))]
        assert shown == [cell_text(name) or None for name in names]
    assert book.worksheets[0]["A2"].value == cell_text(f"Đơn vị báo cáo: {unit}")
    assert book.worksheets[0]["J1"].value == (cell_text(form_number) or None)
    assert len(book.sheetnames) == 2 and len(book.sheetnames[1]) <= 31


def test_libreoffice_shows_every_nasty_name_as_written_and_evaluates_none(tmp_path: Path) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    names = FORMULA_LIKE + MATH_LIKE + ODD
    path = nasty_workbook(tmp_path / "nasty.xlsx", names, "=1+1", "=2+2", "-3+3")
    subprocess.run(
        [office, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    with (tmp_path / "nasty.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    shown = [rows[FIRST_DATA_ROW - 1 + i][1] for i in range(len(names))]
    assert shown == [cell_text(name) for name in names]
    assert rows[1][0] == "Đơn vị báo cáo: =1+1" and rows[0][9] == "-3+3"


class LateRow(NamedTuple):
    """A row of the late-cases ranking, as the report query returns it."""

    unit_code: str | None
    official: str | None
    late_cases: int


def late_data(names: list[str]) -> ReportData:
    """Report data whose late units and officials carry the given names."""
    data = ReportData(as_of=datetime(2025, 8, 1, tzinfo=UTC), month=date(2025, 7, 1))
    data.late_units = [LateRow(name, None, n + 1) for n, name in enumerate(names)]
    data.late_officials = [LateRow(None, name, n + 1) for n, name in enumerate(names)]
    return data


@FUZZ
@given(names=st.lists(TEXTS, max_size=6))
def test_fuzzed_names_are_charted_without_an_error(names: list[str]) -> None:
    chart = render_chart(CHARTS["late"], late_data(names))
    assert chart.png.startswith(PNG_SIGNATURE)


def test_dollar_signs_in_names_are_drawn_as_written() -> None:
    names = ["$\\alpha$", "$x", "$$", "$\\frac$", "a$b$c$"]
    assert render_chart(CHARTS["late"], late_data(names)).png.startswith(PNG_SIGNATURE)
    with matplotlib.rc_context(CHART_TEXT):
        figure = late_chart(late_data(names))
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        renderer = canvas.get_renderer()
        for axes in figure.axes:
            labels = {label.get_text(): label for label in axes.get_yticklabels()}
            assert sorted(labels) == sorted(chart_label(name) for name in names)
            for name in names:
                label = labels[name]
                drawn = label.get_window_extent(renderer).width
                prop = label.get_fontproperties()
                literal, _, _ = renderer.get_text_width_height_descent(name, prop, False)
                assert drawn == pytest.approx(literal, abs=1.0), name
        prop = figure.axes[0].get_yticklabels()[0].get_fontproperties()
        math, _, _ = renderer.get_text_width_height_descent("$\\alpha$", prop, True)
        literal, _, _ = renderer.get_text_width_height_descent("$\\alpha$", prop, False)
        assert math < literal / 2, "the test tells the literal text from the symbol mathtext would draw"


def test_chart_labels_are_one_line_and_short() -> None:
    assert chart_label("a\nb\tc\x00d\udcff") == "a b c\ufffdd\ufffd"
    assert chart_label("x" * 500) == "x" * 59 + "…"
    assert chart_label(None) == "None"
