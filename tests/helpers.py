"""Small builders shared by the tests: submission workbooks in the units' template, legacy encodings."""

from __future__ import annotations

import unicodedata
from io import BytesIO

import openpyxl

from dti.sources import submissions
from dti.sources.submission_template import build_template, components_for, load_components, load_units, template_rows
from dti.sources.text_encodings import TONE_MARKS

PERIOD = "2026-Q3"


def workbook_bytes(rows: list[list], headers: list[str] | None = None, sheet_name: str = submissions.SHEET_NAME) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(submissions.HEADERS if headers is None else headers)
    for row in rows:
        sheet.append(row)
    return xlsx_bytes(workbook)


def xlsx_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def submission_row(unit_code="SKHCN", component_code="CQ01", numerator=60, denominator=100, value=None,
                   period=PERIOD) -> list:
    """One row of the form, in the template's column order (a ratio component by default)."""
    return [unit_code, "Sở Khoa học và Công nghệ", period, component_code, "Tỷ lệ dịch vụ công trực tuyến toàn trình",
            numerator, denominator, value, "12/BC-SKHCN"]


# What filled_template writes in "Giá trị" for each rule other than ratio.
FILLED_VALUES = {"boolean": "Có", "yes_partial_no": "Một phần", "count_capped": 3, "tiered": 2}


def filled_template(unit_code: str, period: str = PERIOD) -> openpyxl.Workbook:
    """The unit's template as ``dti template --unit`` prints it, filled in plausibly: on the
    ratio rows numerator 40, 45, 50, … over denominator 100, 110, 120, … (by row), on the others
    ``FILLED_VALUES`` of the row's rule."""
    unit = next(u for u in load_units() if u["unit_code"] == unit_code)
    workbook = build_template(unit["unit_type"], period, unit=unit_code)
    for index, (row, component) in enumerate(zip(template_rows(workbook), components_for(unit, load_components()))):
        if component["scoring_rule"] == "ratio":
            row["numerator"].value = 40 + 5 * index
            row["denominator"].value = 100 + 10 * index
        else:
            row["reported_value"].value = FILLED_VALUES[component["scoring_rule"]]
        row["evidence_document"].value = f"{12 + index}/BC-{unit_code}"
    return workbook


def windows_1258(text: str) -> bytes:
    """``text`` as Windows saves it in code page 1258: a letter the code page has is one byte, any
    other toned letter is its base letter followed by a combining tone mark."""
    encoded = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            encoded += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
            encoded += (base + "".join(c for c in decomposed if c in TONE_MARKS)).encode("cp1258")
    return bytes(encoded)
