"""Unit self-assessment submissions: one workbook (or CSV) per reporting unit and period, dropped in an inbox.

The template is the contract with the reporting units: ``SHEET_NAME`` and ``COLUMNS`` below are
the one definition that ``dti.sources.submission_template`` prints, ``dti.demo`` fills and this
module reads. Everything a unit can get wrong is reported with the file, the unit, the row and the
column, and what to fix, in Vietnamese and English. A bad row is set aside on its own; only a file
no row of which can be trusted is refused whole.

``read_submission`` takes a file from its bytes to its rows: ``dti.sources.workbook`` reads the
bytes (.xlsx, .xls, .ods, .csv or tab-separated .txt) into a table of cells, the header row is
found under any title block and checked here against the template's, a totals row ("Tổng cộng",
"Cộng") is skipped with a note, and each other row is checked by ``dti.sources.submission_rules``
against the unit's own catalog. Row numbers are the spreadsheet's own, title block included.
Landing and ``dti check`` both read a file through it, so both decide the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath

from dti import periods, settings
from dti.catalog.text import folded
from dti.sources import RejectedRow
from dti.sources.submission_rules import RowChecker, RowProblem, SubmissionRules, duplicate_rows
from dti.sources.workbook import (
    Cell,
    Table,
    UnreadableTable,
    csv_table,
    header_key,
    header_row,
    header_texts,
    is_blank,
    plain_text,
    workbook_table,
)

SOURCE_NAME = "self_assessment_submission"
SHEET_NAME = "Tự đánh giá"
# Vietnamese header as printed in row 1 of the template -> column in raw.self_assessment_rows.
COLUMNS = {
    "Mã đơn vị": "unit_code",
    "Tên đơn vị": "unit_name",
    "Kỳ đánh giá": "period",
    "Mã chỉ số": "component_code",
    "Tên chỉ số": "component_name",
    "Tử số": "numerator",
    "Mẫu số": "denominator",
    "Giá trị": "reported_value",
    "Văn bản kiểm chứng": "evidence_document",
}
HEADERS = list(COLUMNS)
# Columns a file may leave out: templates printed before "Giá trị" existed are still in use.
OPTIONAL_COLUMNS = ("reported_value",)
# What Excel and LibreOffice save: workbooks, and text as CSV or as "Unicode Text" (.txt).
WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt")
MAX_FILE_NAME_LENGTH = 120
# The columns a clerk writes a totals row's label in, and the labels ("Tổng cộng", "Cộng"), as
# ``folded`` writes them: case and diacritics do not matter.
TOTALS_LABEL_COLUMNS = ("unit_code", "unit_name", "component_code", "component_name")
TOTALS_LABELS = ("tong cong", "cong")


class UnreadableSubmission(Exception):
    """The whole file cannot be used; the message says what the unit must fix.

    ``file_name`` is the file's safe name and ``unit_code`` the unit it belongs to when that is
    known (from its rows or its name), else None.
    """

    def __init__(self, reason: str, file_name: str, unit_code: str | None):
        super().__init__(reason)
        self.file_name = file_name
        self.unit_code = unit_code


@dataclass
class Submission:
    unit_code: str
    period: str
    rows: list[dict] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    # What was read past without being a problem (a totals row), each worded as a reason is.
    notes: list[str] = field(default_factory=list)


def safe_file_name(file_name: str) -> str:
    """The name to show and store for a file: its last path part, printable characters only.

    The name is whatever the sender chose; ``../../etc/passwd.xlsx`` or a name with terminal
    control characters must never reach a path, a reason or a report as it came.
    """
    printable = "".join(char for char in unicodedata.normalize("NFC", file_name)
                        if not unicodedata.category(char).startswith("C"))
    name = PureWindowsPath(printable).name.strip().lstrip(".").strip()
    if len(name) > MAX_FILE_NAME_LENGTH:
        suffix = PurePosixPath(name).suffix[:10]
        name = name[:MAX_FILE_NAME_LENGTH - len(suffix)] + suffix
    return name or "khong-ten"


def header_of(column: str) -> str:
    return next(header for header, name in COLUMNS.items() if name == column)


def read_submission(content: bytes, file_name: str, max_bytes: int, rules: SubmissionRules,
                    unit_code: str | None = None) -> Submission:
    """Parse a submission's bytes (.xlsx, .xls, .ods, .csv or .txt) against ``rules``.

    The file's unit is the one its rows name, else ``unit_code`` when the caller knows it, else
    the one its name starts with. Rows that break a rule come back in ``Submission.rejected``;
    UnreadableSubmission is raised when no row of the file can be trusted.
    """
    name = safe_file_name(file_name)
    place = _Place(name, unit_code or _unit_named_by(name, rules))
    return _read_table(_table_of(content, max_bytes, place), place, rules)


def period_written_in(content: bytes, file_name: str, max_bytes: int,
                      granularity: str = settings.PERIOD_GRANULARITY) -> str | None:
    """The period most of a file's rows write in "Kỳ đánh giá", as its label (``dti.periods``); None
    when the file cannot be read or no row writes a period. For a file whose period no inbox
    folder gives, as ``dti check`` reads one."""
    name = safe_file_name(file_name)
    try:
        table = _table_of(content, max_bytes, _Place(name, None))
    except UnreadableSubmission:
        return None
    header_index = header_row(table, HEADERS) or 0
    if not table.rows:
        return None
    header = [header_key(text) for text in header_texts(table.rows[header_index][1])]
    if header_key(header_of("period")) not in header:
        return None
    column = header.index(header_key(header_of("period")))
    written = Counter(periods.parse_period(plain_text(cells[column]), granularity)
                      for _, cells in table.rows[header_index + 1:] if column < len(cells))
    written.pop(None, None)
    return written.most_common(1)[0][0] if written else None


def _table_of(content: bytes, max_bytes: int, place: _Place) -> Table:
    """The file's table of cells; refuses a file of a format not accepted, empty, too large, or not
    readable as a table."""
    name = place.file_name
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in (*WORKBOOK_SUFFIXES, *TEXT_SUFFIXES):
        raise place.refuse(
            f"định dạng {suffix or '(không có đuôi tệp)'} không được nhận; điền mẫu tự đánh giá và lưu dạng .xlsx "
            f"(hoặc .xls, .ods, CSV UTF-8)",
            f"{suffix or '(no extension)'} files are not accepted; fill in the self-assessment template and save it "
            f"as .xlsx (or .xls, .ods, CSV UTF-8)")
    if not content:
        raise place.refuse("tệp rỗng (0 byte); lưu lại mẫu đã điền rồi gửi lại",
                           "the file is empty (0 bytes); save the filled-in template and send it again")
    if len(content) > max_bytes:
        raise place.refuse(
            f"tệp {len(content)} byte vượt giới hạn {max_bytes} byte; chỉ gửi mẫu đã điền, không kèm ảnh hay tệp khác",
            f"{len(content)} bytes is over the {max_bytes}-byte limit; send only the filled-in template, "
            f"without pictures or attachments")
    try:
        return (workbook_table(content, SHEET_NAME, suffix) if suffix in WORKBOOK_SUFFIXES
                else csv_table(content, name, HEADERS))
    except UnreadableTable as error:
        raise place.refuse(error.vi, error.en) from error


# --- where a problem is, and how a reason is worded -------------------------------------------


@dataclass(frozen=True)
class _Place:
    file_name: str
    unit_code: str | None
    row: int | None = None
    header: str | None = None

    def at(self, row: int | None = None, header: str | None = None) -> _Place:
        return _Place(self.file_name, self.unit_code, row, header)

    def reason(self, vi: str, en: str) -> str:
        vi_parts = [self.file_name, f"đơn vị {self.unit_code}" if self.unit_code else "đơn vị chưa xác định"]
        en_parts = [self.file_name, f"unit {self.unit_code}" if self.unit_code else "unit not identified"]
        if self.row is not None:
            vi_parts.append(f"dòng {self.row}")
            en_parts.append(f"row {self.row}")
        if self.header is not None:
            vi_parts.append(f'cột "{self.header}"')
            en_parts.append(f'column "{self.header}"')
        return f"{' · '.join(vi_parts)}: {vi} / {' · '.join(en_parts)}: {en}"

    def refuse(self, vi: str, en: str) -> UnreadableSubmission:
        return UnreadableSubmission(self.reason(vi, en), self.file_name, self.unit_code)


def _unit_named_by(file_name: str, rules: SubmissionRules) -> str | None:
    """The unit a file's name starts with (SNV.xlsx, SNV-nop-lai.xlsx), if it is a known unit."""
    first_word = re.split(r"[^0-9A-Za-z]", PurePosixPath(file_name).stem, maxsplit=1)[0].upper()
    return first_word if first_word in rules.unit_catalogs else None


# --- from a table to rows ----------------------------------------------------------------------


def _read_table(table: Table, place: _Place, rules: SubmissionRules) -> Submission:
    # With no row naming any of the template's headers, the first row is taken for the header, and
    # the reason lists what it has instead.
    header_index = header_row(table, HEADERS) or 0
    if not table.rows:
        raise place.refuse(f'sheet "{SHEET_NAME}" trống; điền số liệu vào mẫu rồi gửi lại',
                           f'sheet "{SHEET_NAME}" is empty; fill in the template and send it again')
    header_number, header_cells = table.rows[header_index]
    position = _column_positions(header_texts(header_cells), lambda: table.merged_cells(header_number),
                                 place.at(row=header_number))
    rows = [(number, cells) for number, cells in table.rows[header_index + 1:]
            if any(not is_blank(cell) for cell in cells)]

    def cell(cells: list[Cell], column: str) -> Cell:
        index = position.get(column)
        return cells[index] if index is not None and index < len(cells) else Cell()

    totals = {number: label for number, cells in rows if (label := _totals_label(cells, cell))}
    rows = [(number, cells) for number, cells in rows if number not in totals]
    if not rows:
        raise place.refuse(
            f'sheet "{SHEET_NAME}" chỉ có dòng tiêu đề, không có dòng chỉ số nào; điền số liệu vào mẫu rồi gửi lại',
            f'sheet "{SHEET_NAME}" has the header row but no indicator rows; fill in the template and send it again')

    units_in_rows = sorted({code for _, cells in rows
                            if (code := plain_text(cell(cells, "unit_code")).upper()) in rules.unit_catalogs})
    if len(units_in_rows) > 1:
        raise place.refuse(
            f"một tệp chỉ chứa số liệu của một đơn vị, tệp này có các mã {', '.join(units_in_rows)}; tách thành "
            f"mỗi đơn vị một tệp",
            f"one file holds one unit's figures, this one has units {', '.join(units_in_rows)}; send one file per unit")
    unit_code = units_in_rows[0] if units_in_rows else place.unit_code
    checker = RowChecker(rules, unit_code, has_value_column="reported_value" in position)
    records: dict[int, dict] = {}
    problems: list[RowProblem] = []
    rows_of_component: dict[str, list[int]] = defaultdict(list)
    for number, cells in rows:
        record, row_problems = checker.check({column: cell(cells, column) for column in COLUMNS.values()}, number)
        records[number] = record
        problems.extend(row_problems)
        if record["component_code"]:
            rows_of_component[record["component_code"]].append(number)
    problems.extend(duplicate_rows(rows_of_component, records))
    place = _Place(place.file_name, unit_code)
    notes = [place.at(number).reason(
        f'dòng tổng cộng ("{label}") không phải chỉ số, đã bỏ qua; không cần xoá',
        f'a totals row ("{label}") is no indicator and was skipped; there is no need to delete it')
        for number, label in totals.items()]
    rejected_rows = {problem.row for problem in problems}
    # A row is usable only with a known unit code, so a file with a usable row has its unit.
    if len(rejected_rows) == len(rows):
        raise place.refuse(*_nothing_usable(problems, len(rows)))
    problems.sort(key=lambda problem: (problem.row, list(COLUMNS.values()).index(problem.column)))
    return Submission(
        unit_code=unit_code,
        period=rules.period,
        rows=[record for number, record in records.items() if number not in rejected_rows],
        rejected=[RejectedRow(problem.row, problem.column, problem.raw_value,
                              place.at(problem.row, header_of(problem.column)).reason(problem.vi, problem.en))
                  for problem in problems],
        notes=notes,
    )


def _totals_label(cells: list[Cell], cell: Callable[[list[Cell], str], Cell]) -> str | None:
    """The label of a totals row ("Tổng cộng", "Cộng") when the row is one, as the clerk wrote it."""
    for column in TOTALS_LABEL_COLUMNS:
        text = plain_text(cell(cells, column))
        if folded(text) in TOTALS_LABELS:
            return text
    return None


def _column_positions(texts: list[str], merged_cells: Callable[[], list[str]], place: _Place) -> dict[str, int]:
    """Raw column name -> index in the row, from the header row's ``texts``; refuses a header row that
    is not the template's (``merged_cells``: the ranges of merged cells on it, asked only then)."""
    by_key = {header_key(header): header for header in HEADERS}
    position: dict[str, int] = {}
    unknown: list[str] = []
    for index, text in enumerate(texts):
        header = by_key.get(header_key(text))
        if header is None:
            if text:
                unknown.append(text)
        elif COLUMNS[header] in position:
            raise place.refuse(f'cột "{header}" xuất hiện hai lần; xoá cột thừa',
                               f'column "{header}" appears twice; delete the extra one')
        else:
            position[COLUMNS[header]] = index
    missing = [header for header in HEADERS
               if COLUMNS[header] not in position and COLUMNS[header] not in OPTIONAL_COLUMNS]
    if missing and (merged := merged_cells()):
        ranges = ", ".join(merged)
        raise place.refuse(
            f"dòng tiêu đề có ô gộp ({ranges}); bỏ gộp ô và giữ đúng một tiêu đề cho mỗi cột như trong mẫu",
            f"the header row has merged cells ({ranges}); unmerge them and keep one header per column, as in the "
            f"template")
    if missing:
        missing_list = ", ".join(f'"{header}"' for header in missing)
        unknown_list = ", ".join(f'"{text}"' for text in unknown)
        found_vi = f"; có cột không thuộc mẫu {unknown_list}" if unknown else ""
        found_en = f"; found unknown column(s) {unknown_list}" if unknown else ""
        raise place.refuse(
            f"thiếu cột {missing_list}{found_vi}; dùng nguyên dòng tiêu đề của mẫu, không đổi tên hay xoá cột",
            f"the column(s) {missing_list} are missing{found_en}; keep the template's header row unchanged, without "
            f"renaming or deleting columns")
    return position


def _nothing_usable(problems: list[RowProblem], row_count: int) -> tuple[str, str]:
    """(vi, en) for a file none of whose rows can be used, quoting the first problems."""
    shown = problems[:3]
    where = [f'dòng {problem.row} · cột "{header_of(problem.column)}"' for problem in shown]
    where_en = [f'row {problem.row} · column "{header_of(problem.column)}"' for problem in shown]
    more = len(problems) - len(shown)
    return (
        f"không có dòng chỉ số nào dùng được ({row_count} dòng đều có lỗi): "
        + "; ".join(f"{place}: {problem.vi}" for place, problem in zip(where, shown, strict=True))
        + (f"; và {more} lỗi khác" if more else "") + "; sửa rồi gửi lại cả tệp",
        f"no usable indicator row (all {row_count} rows have errors): "
        + "; ".join(f"{place}: {problem.en}" for place, problem in zip(where_en, shown, strict=True))
        + (f"; and {more} more" if more else "") + "; fix them and send the whole file again",
    )
