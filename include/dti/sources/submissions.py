"""Unit self-assessment submissions: one workbook per reporting unit and period, dropped in an inbox.

The template is the contract with the reporting units; ``dti.demo`` writes it and this module
reads it. Everything a unit can get wrong is reported with the file, row and column to fix.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from pathlib import Path

import openpyxl

from dti.sources import RejectedRow

SOURCE_NAME = "self_assessment_submission"
SHEET_NAME = "Tự đánh giá"
# Vietnamese header as printed in the template -> column in raw.self_assessment_rows.
COLUMNS = {
    "Mã đơn vị": "unit_code",
    "Tên đơn vị": "unit_name",
    "Kỳ đánh giá": "period",
    "Mã chỉ số": "component_code",
    "Tên chỉ số": "component_name",
    "Tử số": "numerator",
    "Mẫu số": "denominator",
    "Văn bản kiểm chứng": "evidence_document",
}
HEADERS = list(COLUMNS)
REQUIRED_TEXT = ("unit_code", "period", "component_code")
NUMERIC = ("numerator", "denominator")
XLSX_SUFFIXES = (".xlsx",)


class UnreadableSubmission(Exception):
    """The whole file cannot be used; the message says what the unit must fix."""


@dataclass
class Submission:
    unit_code: str
    period: str
    rows: list[dict] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


def find_submissions(inbox: Path, period: str) -> list[Path]:
    """Workbooks waiting for ``period``, oldest first so a resubmission lands after the original."""
    folder = inbox / period
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def read_submission(content: bytes, file_name: str, max_bytes: int) -> Submission:
    """Parse a submission's bytes; raise UnreadableSubmission when no row of it can be trusted."""
    if not file_name.lower().endswith(XLSX_SUFFIXES):
        raise UnreadableSubmission(f"{file_name}: not an .xlsx workbook; send the submission template filled in")
    if not content:
        raise UnreadableSubmission(f"{file_name}: the file is empty")
    if len(content) > max_bytes:
        raise UnreadableSubmission(f"{file_name}: {len(content)} bytes is over the {max_bytes}-byte limit")
    if not zipfile.is_zipfile(BytesIO(content)):
        raise UnreadableSubmission(f"{file_name}: not a valid .xlsx file (it is not an Office Open XML package)")
    try:
        workbook = openpyxl.load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged package
        raise UnreadableSubmission(f"{file_name}: the workbook cannot be opened ({type(error).__name__}: {error})") from error
    try:
        if SHEET_NAME not in workbook.sheetnames:
            raise UnreadableSubmission(
                f"{file_name}: sheet '{SHEET_NAME}' is missing (found: {', '.join(workbook.sheetnames)})"
            )
        return _read_rows(workbook[SHEET_NAME].iter_rows(values_only=True), file_name)
    finally:
        workbook.close()


def _read_rows(rows, file_name: str) -> Submission:
    header = next(rows, None)
    found = [str(cell).strip() if cell is not None else "" for cell in (header or ())]
    missing = [name for name in HEADERS if name not in found]
    if missing:
        raise UnreadableSubmission(
            f"{file_name}: sheet '{SHEET_NAME}' row 1 lacks the column(s) {', '.join(missing)}"
        )
    position = {COLUMNS[name]: found.index(name) for name in HEADERS}
    parsed: list[dict] = []
    rejected: list[RejectedRow] = []
    # Row numbers are the spreadsheet's own (header is row 1) so a unit can find the cell.
    for row_number, values in enumerate(rows, start=2):
        if values is None or all(value is None or str(value).strip() == "" for value in values):
            continue
        record, problems = _parse_row(values, position, row_number)
        if problems:
            rejected.extend(problems)
        else:
            parsed.append(record)
    units = {row["unit_code"] for row in parsed}
    periods = {row["period"] for row in parsed}
    if len(units) > 1 or len(periods) > 1:
        raise UnreadableSubmission(
            f"{file_name}: one workbook must hold one unit and one period; found units {sorted(units)} "
            f"and periods {sorted(periods)}"
        )
    if not parsed:
        raise UnreadableSubmission(f"{file_name}: no usable indicator row in sheet '{SHEET_NAME}'")
    return Submission(unit_code=units.pop(), period=periods.pop(), rows=parsed, rejected=rejected)


def _parse_row(values: tuple, position: dict[str, int], row_number: int) -> tuple[dict, list[RejectedRow]]:
    def cell(column: str):
        index = position[column]
        return values[index] if index < len(values) else None

    record: dict = {"_row_number": row_number}
    problems: list[RejectedRow] = []
    for column in COLUMNS.values():
        value = cell(column)
        if column in NUMERIC:
            record[column], reason = _parse_number(value)
            if reason:
                problems.append(RejectedRow(row_number, column, _as_text(value), reason))
        else:
            record[column] = _as_text(value)
    for column in REQUIRED_TEXT:
        if not record[column]:
            problems.append(RejectedRow(row_number, column, None, f"'{_header_of(column)}' is empty"))
    return record, problems


def _parse_number(value) -> tuple[Decimal | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, f"expected a number, found {value!r}"
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None, f"expected a number, found {str(value)!r}"
    if not number.is_finite():
        return None, f"expected a finite number, found {str(value)!r}"
    if number < 0:
        return None, f"must not be negative, found {number}"
    return number, None


def _as_text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _header_of(column: str) -> str:
    return next(header for header, name in COLUMNS.items() if name == column)
