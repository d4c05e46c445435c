"""Small builders shared by the tests: submission workbooks in the units' template."""

from __future__ import annotations

from io import BytesIO

import openpyxl

from dti.sources import submissions


def workbook_bytes(rows: list[list], headers: list[str] | None = None, sheet_name: str = submissions.SHEET_NAME) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(submissions.HEADERS if headers is None else headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def submission_row(unit_code="SKHCN", component_code="7.1", numerator=60, denominator=100, period="2026-Q3") -> list:
    return [unit_code, "Sở Khoa học và Công nghệ", period, component_code, "Tỷ lệ dịch vụ công trực tuyến toàn trình",
            numerator, denominator, "12/BC-SKHCN"]
