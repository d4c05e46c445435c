"""The XLSX workbook: one sheet per table, numbers as numbers with formats, a frozen header, and text
from the units that can never run as a formula."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest

from dti.publish.workbook import FORMULA_TRIGGERS, NUMBER_FORMATS, Column, Table, render_workbook
from tests.helpers import PROVINCE

HOSTILE_TEXTS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x.example","bấm")']

UNITS = Table("Xếp hạng đơn vị", (
    Column("Đơn vị", "name_vi"),
    Column("DTI", "dti_score", "dti"),
    Column("Điểm đạt", "points", "points"),
    Column("Giá trị", "value", kind_of_row=lambda row: row["kind"]),
    Column("Hạn nộp", "due_date", "date"),
), [
    {"name_vi": "Phường Võ Cường", "dti_score": Decimal("0.61234"), "points": 612.34, "value": 0.553, "kind": "rate",
     "due_date": date(2026, 10, 10)},
    *({"name_vi": text, "dti_score": 0.5, "points": None, "value": 1, "kind": "yes_no", "due_date": None}
      for text in HOSTILE_TEXTS),
])


@pytest.fixture(scope="module")
def workbook_bytes() -> bytes:
    return render_workbook([Table("Tổng hợp DTI", (Column("DTI", "dti", "dti"),), [{"dti": 0.7}]), UNITS], PROVINCE)


def test_one_sheet_per_table_with_a_frozen_bold_header_and_widths(workbook_bytes):
    workbook = openpyxl.load_workbook(BytesIO(workbook_bytes))

    assert workbook.sheetnames == ["Tổng hợp DTI", "Xếp hạng đơn vị"]
    sheet = workbook["Xếp hạng đơn vị"]
    assert [cell.value for cell in sheet[1]] == ["Đơn vị", "DTI", "Điểm đạt", "Giá trị", "Hạn nộp"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:E{len(HOSTILE_TEXTS) + 2}"
    assert sheet.column_dimensions["A"].width >= len("Phường Võ Cường")


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_on_every_page(workbook_bytes):
    for sheet in openpyxl.load_workbook(BytesIO(workbook_bytes)).worksheets:
        assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_title_rows == "$1:$1"


def test_a_year_reads_as_written():
    workbook = render_workbook([Table("Năm", (Column("Năm đánh giá", "year", "year"),), [{"year": 2026}])], PROVINCE)
    cell = openpyxl.load_workbook(BytesIO(workbook))["Năm"]["A2"]

    assert (cell.value, cell.number_format) == (2026, "0")


def test_numbers_are_numbers_with_formats(workbook_bytes):
    sheet = openpyxl.load_workbook(BytesIO(workbook_bytes))["Xếp hạng đơn vị"]
    name, dti, points, value, due = sheet[2]

    assert name.value == "Phường Võ Cường"
    assert (dti.value, dti.data_type, dti.number_format) == (0.61234, "n", NUMBER_FORMATS["dti"])
    assert (points.value, points.number_format) == (612.34, NUMBER_FORMATS["points"])
    assert (value.value, value.number_format) == (0.553, NUMBER_FORMATS["rate"])
    assert due.value.date() == date(2026, 10, 10) and due.number_format == NUMBER_FORMATS["date"]
    # A row's own kind: a yes/no value reads 'Có' in Excel and stays the number 1.
    assert sheet["D3"].value == 1 and sheet["D3"].number_format == NUMBER_FORMATS["yes_no"]
    # Nothing where the marts hold nothing.
    assert sheet["C3"].value is None


def test_text_that_looks_like_a_formula_is_kept_as_text_and_never_becomes_one(workbook_bytes):
    sheet = openpyxl.load_workbook(BytesIO(workbook_bytes))["Xếp hạng đơn vị"]
    cells = [sheet.cell(row=row, column=1) for row in range(3, 3 + len(HOSTILE_TEXTS))]

    # The text is exactly as submitted, a carriage return included (openpyxl writes it as &#13; with lxml).
    assert [cell.value for cell in cells] == HOSTILE_TEXTS
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    assert not sheet["A2"].quotePrefix
    with zipfile.ZipFile(BytesIO(workbook_bytes)) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert sheets and not any(re.search(r"<f[ >]", text) for text in sheets)
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


def test_characters_xml_cannot_hold_do_not_break_the_workbook():
    table = Table("Đôn đốc", (Column("Lý do từ chối", "reason"),), [{"reason": "dòng 3\x07 sai"}])
    sheet = openpyxl.load_workbook(BytesIO(render_workbook([table], PROVINCE)))["Đôn đốc"]

    assert sheet["A2"].value == "dòng 3\ufffd sai"
