"""Unit self-assessment submissions: one workbook (or CSV) per reporting unit and period, dropped in an inbox.

The template is the contract with the reporting units: ``SHEET_NAME`` and ``COLUMNS`` below are
the one definition that ``dti.sources.submission_template`` prints, ``dti.demo`` fills and this
module reads. Everything a unit can get wrong is reported with the file, the unit, the row and the
column, and what to fix, in Vietnamese and English. A bad row is set aside on its own; only a file
no row of which can be trusted is refused whole.

Each row is one component of the unit's own catalog (``SubmissionRules``), and the component's
scoring rule says which cells carry its figure:

- ``ratio``: "Tử số" and "Mẫu số" are counts, whole numbers from 0, and the rate is computed from
  them. A percentage is refused in every form a unit writes it: "85%" typed, 0.85 in a cell
  formatted as a percentage, and a bare 0.85 (not a whole number; the reason suggests it may be
  the rate 85%). A bare 85 is a count of 85. "Giá trị" is not read on a ratio row (the template
  locks it): the rate is the counts' to give, so a value there can neither contradict nor replace
  them.
- ``boolean``: "Giá trị" is "Có" or "Không" (also yes/no, 1/0, with or without diacritics, in any
  case), read as 1 or 0.
- ``yes_partial_no``: "Giá trị" is "Có", "Một phần" or "Không", read as 1, 0.5 or 0.
- ``count_capped`` and ``tiered``: "Giá trị" is a whole number from 0.
- ``categorical``: "Giá trị" is one of the component's answers in the catalog
  (dti_component_options), written as listed (case and surrounding spaces aside) or as its number
  (1, 2, …), read as the share of the points that answer earns.

On every row but a ratio's, "Tử số" and "Mẫu số" are not read (the template locks them too).
A file made from an older template, without the "Giá trị" column, is still read: its ratio rows
are used and every other row is set aside, naming the missing column.

Numbers written as text are read in Vietnamese or English style (``parse_number_text``): "12,5"
is 12.5 (and so refused as no whole count), "1.234" is 1234.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath, PureWindowsPath

import openpyxl

from dti.sources import RejectedRow
from dti.sources.text_encodings import UnrecognisedEncoding, decode_text

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
REQUIRED_TEXT = ("unit_code", "period", "component_code")
# A ratio's figures are two counts; the rate is numerator / denominator.
COUNTS = ("numerator", "denominator")
RATIO = "ratio"
# Scoring rule (unit_components.scoring_rule) -> how "Giá trị" is read: the answers it accepts
# (key: the answer without diacritics or case -> its value), or None for a whole count from 0.
YES, PARTLY, NO = Decimal(1), Decimal("0.5"), Decimal(0)
_YES_WORDS = {"co": YES, "yes": YES, "y": YES, "true": YES, "1": YES}
_NO_WORDS = {"khong": NO, "no": NO, "n": NO, "false": NO, "0": NO}
_PARTLY_WORDS = {"mot phan": PARTLY, "partly": PARTLY, "partial": PARTLY, "0.5": PARTLY, "0,5": PARTLY}
VALUE_ANSWERS: dict[str, dict[str, Decimal] | None] = {
    "boolean": {**_YES_WORDS, **_NO_WORDS},
    "yes_partial_no": {**_YES_WORDS, **_PARTLY_WORDS, **_NO_WORDS},
    "count_capped": None,
    "tiered": None,
}
# A categorical component's answers are the catalog's own (ComponentOption), one list per component.
CATEGORICAL = "categorical"
SCORING_RULES = (RATIO, *VALUE_ANSWERS, CATEGORICAL)
# What a unit writes in "Giá trị" for each rule, as the template's drop-down and the reasons show it.
VALUE_CHOICES = {"boolean": ("Có", "Không"), "yes_partial_no": ("Có", "Một phần", "Không")}
# The rules whose "Giá trị" is an answer picked from the cell's list rather than a count.
ANSWERED_RULES = (*VALUE_CHOICES, CATEGORICAL)
XLSX_SUFFIX = ".xlsx"
CSV_SUFFIX = ".csv"
# A filled-in template unpacks to a few hundred kB at most; a package that declares more than
# this is not a template and is refused before anything is decompressed (a "ZIP bomb").
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# One row per indicator: the catalog has a few dozen; more rows than this is not a submission.
MAX_DATA_ROWS = 1000
MAX_FILE_NAME_LENGTH = 120
# The unit catalogs (unit_components.unit_catalog) as a reason names who fills them in: (vi, en).
CATALOG_NAMES = {
    "department": ("sở, ban, ngành", "departments"),
    "commune": ("xã, phường", "communes and wards"),
    "focal_point": ("đơn vị đầu mối", "the focal-point unit"),
}
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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


@dataclass(frozen=True)
class ComponentOption:
    """One answer of a categorical component (a row of dti_component_options)."""

    order: int  # its number in the drop-down, 1 first; a unit may write the number instead of the answer
    vi: str
    en: str
    points_share: Decimal  # the share of the component's points it earns, 0 to 1: the row's value


@dataclass(frozen=True)
class SubmissionRules:
    """What a submission is checked against: the period of the inbox it arrived in and the unit catalogs."""

    period: str
    # unit code -> the catalogs it fills in, its own type's first ('department' or 'commune'),
    # then 'focal_point' for the focal-point unit
    unit_catalogs: Mapping[str, tuple[str, ...]]
    catalogs: Mapping[str, Mapping[str, str]]  # catalog -> component code -> scoring rule
    # catalog -> component code -> the answers of a categorical component, in their order
    options: Mapping[str, Mapping[str, tuple[ComponentOption, ...]]] = field(default_factory=dict)

    def components_of(self, unit_code: str) -> dict[str, str]:
        """The unit's components: component code -> scoring rule."""
        return {code: rule for catalog in self.unit_catalogs[unit_code] for code, rule in self.catalogs[catalog].items()}

    def catalogs_holding(self, component_code: str) -> list[str]:
        return [catalog for catalog, components in self.catalogs.items() if component_code in components]

    def options_of(self, unit_code: str | None, component_code: str) -> tuple[ComponentOption, ...]:
        """The answers the unit picks from for a categorical component; for a unit not known, those of
        the first catalog holding the component, the catalog its scoring rule is taken from too."""
        catalogs = self.unit_catalogs[unit_code] if unit_code else self.catalogs_holding(component_code)
        return next((self.options[catalog][component_code] for catalog in catalogs
                     if component_code in self.options.get(catalog, {})), ())


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


def read_submission(content: bytes, file_name: str, max_bytes: int, rules: SubmissionRules) -> Submission:
    """Parse a submission's bytes (.xlsx or .csv) against ``rules``.

    Rows that break a rule come back in ``Submission.rejected``; UnreadableSubmission is raised
    when no row of the file can be trusted.
    """
    name = safe_file_name(file_name)
    place = _Place(name, _unit_named_by(name, rules))
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in (XLSX_SUFFIX, CSV_SUFFIX):
        raise place.refuse(
            f"định dạng {suffix or '(không có đuôi tệp)'} không được nhận; điền mẫu tự đánh giá và lưu dạng .xlsx "
            f"(hoặc CSV UTF-8)",
            f"{suffix or '(no extension)'} files are not accepted; fill in the self-assessment template and save it "
            f"as .xlsx (or CSV UTF-8)")
    if not content:
        raise place.refuse("tệp rỗng (0 byte); lưu lại mẫu đã điền rồi gửi lại",
                           "the file is empty (0 bytes); save the filled-in template and send it again")
    if len(content) > max_bytes:
        raise place.refuse(
            f"tệp {len(content)} byte vượt giới hạn {max_bytes} byte; chỉ gửi mẫu đã điền, không kèm ảnh hay tệp khác",
            f"{len(content)} bytes is over the {max_bytes}-byte limit; send only the filled-in template, "
            f"without pictures or attachments")
    table = _xlsx_table(content, place) if suffix == XLSX_SUFFIX else _csv_table(content, place)
    return _read_table(table, place, rules)


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


# --- from bytes to a table of cells ------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    value: object = None  # as the file holds it: str, int, float, datetime, bool or None
    number_format: str = "General"
    formula: str | None = None  # set when the cell holds a formula whose result the file did not save


@dataclass
class _Table:
    header: list[str]
    rows: list[tuple[int, list[_Cell]]]  # (row number as the spreadsheet shows it, cells)
    # Ranges of merged cells in the header row; asked only when the header is not the template's.
    merged_header: Callable[[], list[str]] = list


def _xlsx_table(content: bytes, place: _Place) -> _Table:
    _check_package(content, place)
    try:
        # Read-only mode parses the one sheet read, as it streams, and nothing else of the package.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet_name = next((name for name in workbook.sheetnames
                               if header_key(name) == header_key(SHEET_NAME)), None)
            if sheet_name is None:
                found = ", ".join(f'"{name}"' for name in workbook.sheetnames)
                raise place.refuse(
                    f'không có sheet "{SHEET_NAME}" (tệp có: {found}); điền số liệu vào sheet "{SHEET_NAME}" của '
                    f"mẫu, không đổi tên sheet",
                    f'sheet "{SHEET_NAME}" is missing (found: {found}); enter the figures in the template\'s sheet '
                    f'"{SHEET_NAME}" and keep its name')
            cells = _sheet_cells(workbook[sheet_name], place)
        finally:
            workbook.close()
        # A formula saved without its result reads as an empty cell; only then is it worth
        # reading the sheet a second time, for its formulas.
        formulas = _formulas(content, sheet_name) if any(c.value is None for row in cells[1:] for c in row) else {}
    except UnreadableSubmission:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged package
        raise place.refuse(
            f"không mở được bảng tính ({type(error).__name__}); mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại",
            f"the workbook cannot be opened ({type(error).__name__}: {error}); open it in Excel, save it again as "
            f".xlsx and resend it") from error
    header = [_header_text(cell.value) for cell in cells[0]] if cells else []
    # Only a formula without its saved result is one: a blank cell beside it does not make it so.
    rows = [(number, [_Cell(cell.value, cell.number_format or "General",
                            formulas.get((number, column)) if cell.value is None else None)
                      for column, cell in enumerate(row, start=1)])
            for number, row in enumerate(cells[1:], start=2)]
    return _Table(header, rows, lambda: _merged_header_cells(content, sheet_name))


def _sheet_cells(sheet, place: _Place) -> list[tuple]:
    """The sheet's rows of cells, from row 1, each as long as the file wrote it."""
    # The size a file declares may be wrong (other tools write it); count the rows actually there.
    sheet.reset_dimensions()
    rows = []
    for row in sheet.iter_rows():
        rows.append(row)
        if len(rows) > MAX_DATA_ROWS + 1:
            raise place.refuse(
                f"sheet có hơn {MAX_DATA_ROWS} dòng; mẫu chỉ có một dòng cho mỗi chỉ số",
                f"the sheet has more than {MAX_DATA_ROWS} rows; the template has one row per indicator")
    return rows


def _formulas(content: bytes, sheet_name: str) -> dict[tuple[int, int], str]:
    """(row, column) -> the text of each formula in the sheet."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        sheet = workbook[sheet_name]
        sheet.reset_dimensions()
        return {(number, column): str(getattr(cell.value, "text", cell.value))  # an array formula holds its text
                for number, row in enumerate(sheet.iter_rows(), start=1)
                for column, cell in enumerate(row, start=1) if cell.data_type == "f"}
    finally:
        workbook.close()


def _merged_header_cells(content: bytes, sheet_name: str) -> list[str]:
    # Only a full load knows merged cells; it is needed only to explain a header that is wrong.
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    try:
        return [str(merged) for merged in workbook[sheet_name].merged_cells.ranges if merged.min_row == 1]
    finally:
        workbook.close()


def _check_package(content: bytes, place: _Place) -> None:
    """Refuse what is not an Office Open XML package, or would unpack to too much, before opening it."""
    problem = workbook_package_problem(content, ("mẫu tự đánh giá", "the self-assessment template"))
    if problem:
        raise place.refuse(*problem)


def workbook_package_problem(content: bytes, form: tuple[str, str]) -> tuple[str, str] | None:
    """(vi, en) of why ``content`` cannot be opened as an .xlsx workbook without unpacking it (not a
    package, damaged, or declaring too much once unpacked: a "ZIP bomb"); None when it can.

    ``form`` names, (vi, en), what the sender should have sent instead.
    """
    if not content.startswith(b"PK"):
        return _not_a_workbook(content)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        return ("tệp .xlsx bị hỏng hoặc chưa tải/chép hết; mở bằng Excel, lưu lại rồi gửi lại",
                f"not a valid .xlsx file: the package is damaged or incomplete ({error}); was the download or copy "
                f"cut short? Open it in Excel, save it again and resend it")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        return (f"tệp nén khai báo {unpacked} byte khi giải nén, vượt giới hạn {MAX_UNPACKED_BYTES} byte; đây "
                f"không phải {form[0]}, hãy gửi đúng {form[0]} đã điền",
                f"the package declares {unpacked} bytes once unpacked, over the {MAX_UNPACKED_BYTES}-byte limit; it "
                f"is not {form[1]}, send {form[1]} filled in")
    return None


def _not_a_workbook(content: bytes) -> tuple[str, str]:
    """(vi, en): what the bytes of a file named .xlsx really are, and how to send a workbook instead."""
    start = content[:512].lstrip().lower()
    if content.startswith(_OLE2_MAGIC):
        return ("đây là bảng tính Excel 97–2003 (.xls) hoặc tệp có đặt mật khẩu, chỉ đổi tên thành .xlsx; mở bằng "
                "Excel, bỏ mật khẩu nếu có, chọn Lưu thành \"Excel Workbook (*.xlsx)\"",
                "not a valid .xlsx file: it is an Excel 97–2003 (.xls) or password-protected workbook renamed .xlsx; "
                "open it in Excel, remove any password and Save As \"Excel Workbook (*.xlsx)\"")
    if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<")):
        return ("đây là trang web hoặc tệp XML, không phải bảng tính (thường là trang báo lỗi khi tải về); tải lại "
                "tệp .xlsx",
                "not a valid .xlsx file: it is a web page or XML, not a workbook (often the error page of a failed "
                "download); download the .xlsx file again")
    if start.startswith(b"%pdf"):
        return ("đây là tệp PDF, không phải bảng tính; gửi bản .xlsx của mẫu đã điền",
                "not a valid .xlsx file: it is a PDF; send the filled-in template as .xlsx")
    return ("đây không phải bảng tính .xlsx (có thể là tệp văn bản/CSV bị đổi đuôi); lưu lại bằng Excel dạng .xlsx, "
            "hoặc gửi tệp CSV với đuôi .csv",
            "not a valid .xlsx file (it is not an Office Open XML package, perhaps a text/CSV file renamed .xlsx); "
            "save it from Excel as .xlsx, or send a CSV file named .csv")


def _csv_table(content: bytes, place: _Place) -> _Table:
    try:
        text, _encoding = decode_text(content, place.file_name)
    except UnrecognisedEncoding as error:
        raise place.refuse(
            "không nhận ra bảng mã ký tự của tệp CSV (đã thử UTF-8, Windows-1258, TCVN3); trong Excel chọn Lưu thành "
            "\"CSV UTF-8\"",
            "the CSV file's character encoding is not recognised (tried UTF-8, Windows-1258 and TCVN3); in Excel "
            "use Save As \"CSV UTF-8\"") from error
    lines = text.splitlines()
    delimiter = csv_delimiter(lines[0] if lines else "")
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise place.refuse(f"tệp CSV sai cấu trúc ({error}); xuất lại từ mẫu bằng Excel",
                           f"the CSV file is malformed ({error}); export it from the template again") from error
    if len(records) - 1 > MAX_DATA_ROWS:
        raise place.refuse(
            f"tệp có {len(records)} dòng, quá {MAX_DATA_ROWS} dòng; mẫu chỉ có một dòng cho mỗi chỉ số",
            f"the file has {len(records)} rows, over {MAX_DATA_ROWS}; the template has one row per indicator")
    header = [_header_text(value) for value in records[0]] if records else []
    # Every CSV value is text; numbers in it are read by the same rules as text typed in a cell.
    rows = [(number, [_Cell(value) for value in record]) for number, record in enumerate(records[1:], start=2)]
    return _Table(header, rows)


def csv_delimiter(header_line: str, headers: Iterable[str] = HEADERS) -> str:
    """The separator that splits the header line into the most of ``headers`` (the template's).

    Excel writes ';' where the decimal separator is a comma (Vietnamese settings) and ',' elsewhere.
    """
    known = {header_key(header) for header in headers}
    candidates = (";", ",", "\t")
    return max(candidates, key=lambda candidate: (
        sum(header_key(part) in known for part in header_line.split(candidate)), header_line.count(candidate)))


def header_key(text: str) -> str:
    """How two headers or sheet names are compared: case, spacing and Unicode form do not matter."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _header_text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


# --- from a table to rows ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    row: int
    column: str
    raw_value: str | None
    vi: str
    en: str


def _read_table(table: _Table, place: _Place, rules: SubmissionRules) -> Submission:
    position = _column_positions(table, place.at(row=1))
    rows = [(number, cells) for number, cells in table.rows if any(not _is_blank(cell) for cell in cells)]
    if not rows:
        raise place.refuse(
            f'sheet "{SHEET_NAME}" chỉ có dòng tiêu đề, không có dòng chỉ số nào; điền số liệu vào mẫu rồi gửi lại',
            f'sheet "{SHEET_NAME}" has the header row but no indicator rows; fill in the template and send it again')

    def cell(cells: list[_Cell], column: str) -> _Cell:
        index = position.get(column)
        return cells[index] if index is not None and index < len(cells) else _Cell()

    units_in_rows = sorted({code for _, cells in rows
                            if (code := _plain_text(cell(cells, "unit_code")).upper()) in rules.unit_catalogs})
    if len(units_in_rows) > 1:
        raise place.refuse(
            f"một tệp chỉ chứa số liệu của một đơn vị, tệp này có các mã {', '.join(units_in_rows)}; tách thành "
            f"mỗi đơn vị một tệp",
            f"one file holds one unit's figures, this one has units {', '.join(units_in_rows)}; send one file per unit")
    unit_code = units_in_rows[0] if units_in_rows else place.unit_code
    checker = _RowChecker(rules, unit_code, has_value_column="reported_value" in position)
    records: dict[int, dict] = {}
    problems: list[_Problem] = []
    rows_of_component: dict[str, list[int]] = defaultdict(list)
    for number, cells in rows:
        record, row_problems = checker.check({column: cell(cells, column) for column in COLUMNS.values()}, number)
        records[number] = record
        problems.extend(row_problems)
        if record["component_code"]:
            rows_of_component[record["component_code"]].append(number)
    problems.extend(_duplicates(rows_of_component, records))
    place = _Place(place.file_name, unit_code)
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
    )


def _column_positions(table: _Table, place: _Place) -> dict[str, int]:
    """Raw column name -> index in the row; refuses a header row that is not the template's."""
    by_key = {header_key(header): header for header in HEADERS}
    position: dict[str, int] = {}
    unknown: list[str] = []
    for index, text in enumerate(table.header):
        header = by_key.get(header_key(text))
        if header is None:
            if text:
                unknown.append(text)
        elif COLUMNS[header] in position:
            raise place.refuse(f'cột "{header}" xuất hiện hai lần; xoá cột thừa',
                               f'column "{header}" appears twice; delete the extra one')
        else:
            position[COLUMNS[header]] = index
    missing = [header for header in HEADERS if COLUMNS[header] not in position and COLUMNS[header] not in OPTIONAL_COLUMNS]
    if missing and (merged := table.merged_header()):
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


class _RowChecker:
    """Checks one row's cells against the rules; the unit is the file's, whose catalogs say which
    components it reports and by which rule each is scored."""

    def __init__(self, rules: SubmissionRules, unit_code: str | None, has_value_column: bool):
        self.rules = rules
        self.unit_code = unit_code
        self.unit_components = rules.components_of(unit_code) if unit_code else None
        self.has_value_column = has_value_column

    def check(self, cells: dict[str, _Cell], number: int) -> tuple[dict, list[_Problem]]:
        problems: list[_Problem] = []

        def problem(column: str, vi: str, en: str) -> None:
            problems.append(_Problem(number, column, _shown(cells[column]), vi, en))

        record: dict = {"_row_number": number}
        for column in ("unit_name", "component_name", "evidence_document"):
            record[column] = _plain_text(cells[column]) or None
        for column in REQUIRED_TEXT:
            record[column], text_problem = _required_text(cells[column])
            if text_problem:
                problem(column, *text_problem)
        if record["unit_code"]:
            record["unit_code"] = record["unit_code"].upper()
            if record["unit_code"] not in self.rules.unit_catalogs:
                problem("unit_code", f'mã đơn vị "{record["unit_code"]}" không có trong danh mục đơn vị báo cáo; ghi '
                                     f"đúng mã đơn vị như trong mẫu",
                        f'unit code "{record["unit_code"]}" is not a known reporting unit; write the unit code as '
                        f"the template gives it")
        if record["period"]:
            if record["period"].upper() == self.rules.period.upper():
                record["period"] = self.rules.period
            else:
                problem("period", f'phải là kỳ {self.rules.period} (kỳ của hộp thư nhận tệp), đang ghi '
                                  f'"{record["period"]}"; số liệu kỳ khác nộp vào kỳ đó',
                        f'must be {self.rules.period} (the period of the inbox the file arrived in), found '
                        f'"{record["period"]}"; send another period\'s figures to that period')
        rule = None
        if record["component_code"]:
            rule, component_problem = self._scoring_rule(record["component_code"].upper())
            if component_problem:
                problem("component_code", *component_problem)
            else:
                record["component_code"] = record["component_code"].upper()
        record.update(numerator=None, denominator=None, reported_value=None)
        if rule == RATIO:
            for column in COUNTS:
                record[column], count_problem = _count(cells[column])
                if count_problem:
                    problem(column, *count_problem)
            numerator, denominator = record["numerator"], record["denominator"]
            if numerator is not None and denominator is not None and numerator > denominator:
                problem("numerator", f"Tử số ({numerator}) lớn hơn Mẫu số ({denominator}): tỷ lệ không thể vượt 100%; "
                                     f"kiểm tra lại hai số",
                        f"Tử số ({numerator}) is larger than Mẫu số ({denominator}): a rate cannot exceed 100%; "
                        f"check both counts")
        elif rule is not None:
            options = self.rules.options_of(self.unit_code, record["component_code"]) if rule == CATEGORICAL else ()
            record["reported_value"], value_problem = self._value(rule, options, cells)
            if value_problem:
                problem("reported_value", *value_problem)
        return record, problems

    def _scoring_rule(self, code: str) -> tuple[str | None, tuple[str, str] | None]:
        """The component's scoring rule for this unit, or (vi, en) of why the unit cannot report it."""
        holding = self.rules.catalogs_holding(code)
        if not holding:
            return None, (f'mã chỉ số "{code}" không có trong bộ chỉ số; dùng mã chỉ số in sẵn trong mẫu',
                          f'indicator code "{code}" is not in the indicator catalog; use the codes printed in the '
                          f"template")
        if self.unit_components is None:
            # The row's unit is unknown and the row is set aside for that; its figures are still
            # checked, by the rule of the first catalog holding the component.
            return self.rules.catalogs[holding[0]][code], None
        if code not in self.unit_components:
            who_vi = " và ".join(CATALOG_NAMES[catalog][0] for catalog in holding)
            who_en = " and ".join(CATALOG_NAMES[catalog][1] for catalog in holding)
            unit_vi, unit_en = CATALOG_NAMES[self.rules.unit_catalogs[self.unit_code][0]]
            return None, (f"chỉ số {code} do {who_vi} báo cáo, {unit_vi} không báo cáo chỉ số này; xoá dòng này",
                          f"indicator {code} is reported by {who_en}, not by {unit_en}; delete this row")
        return self.unit_components[code], None

    def _value(self, rule: str, options: tuple[ComponentOption, ...],
               cells: dict[str, _Cell]) -> tuple[Decimal | None, tuple[str, str] | None]:
        """The row's "Giá trị" read by its rule (a categorical component's by its ``options``), or (vi, en)
        of why it cannot be."""
        cell = cells["reported_value"]
        vi, en = _what_to_write(rule, options)
        if not self.has_value_column:
            return None, (f'tệp không có cột "{header_of("reported_value")}" (mẫu cũ) mà chỉ số này cần; tải mẫu '
                          f"của kỳ này và ghi {vi} vào cột đó",
                          f'the file has no "{header_of("reported_value")}" column (an older template) and this '
                          f"indicator needs it; download this period's template and write {en} in that column")
        if _is_blank(cell):
            hint_vi = hint_en = ""
            if any(not _is_blank(cells[column]) for column in COUNTS):
                hint_vi = "; chỉ số này không dùng Tử số và Mẫu số"
                hint_en = "; this indicator does not use Tử số and Mẫu số"
            return None, (f"chưa nhập; ghi {vi}{hint_vi}", f"is empty; write {en}{hint_en}")
        if cell.formula:
            return None, (_FORMULA[0].format(formula=cell.formula), _FORMULA[1].format(formula=cell.formula))
        if rule == CATEGORICAL:
            value = _option(cell, options)
        elif (answers := VALUE_ANSWERS[rule]) is not None:
            value = _answer(cell, answers)
        else:
            return _count(cell, counts_of_rate=False)
        if value is not None:
            return value, None
        return None, (f'phải là {vi}, đang ghi "{_plain_text(cell)}"; chọn trong danh sách của ô',
                      f'must be {en}, found "{_plain_text(cell)}"; pick it from the cell\'s list')


def _what_to_write(rule: str, options: tuple[ComponentOption, ...] = ()) -> tuple[str, str]:
    """(vi, en): what "Giá trị" holds for ``rule`` (``options``: a categorical component's)."""
    if rule == CATEGORICAL:
        listed = ", ".join(f'"{option.vi}"' for option in options)
        numbers = ", ".join(str(option.order) for option in options)
        return f"một trong {listed} (hoặc số thứ tự {numbers})", f"one of {listed} (or its number {numbers})"
    if rule in VALUE_CHOICES:
        listed = ", ".join(f'"{choice}"' for choice in VALUE_CHOICES[rule])
        return f"một trong {listed}", f"one of {listed}"
    return "số nguyên từ 0 trở lên", "a whole number from 0"


def _answer(cell: _Cell, answers: dict[str, Decimal]) -> Decimal | None:
    """A yes / (partly /) no answer, read as 1 / (0.5 /) 0; None when the cell holds none of them."""
    value = cell.value
    if isinstance(value, bool):  # TRUE / FALSE typed in Excel
        value = int(value)
    if isinstance(value, (int, float)) and Decimal(str(value)) in answers.values():
        return next(answer for answer in answers.values() if answer == Decimal(str(value)))
    return answers.get(_folded(_plain_text(cell)))


def _option(cell: _Cell, options: tuple[ComponentOption, ...]) -> Decimal | None:
    """A categorical answer, written as the catalog lists it (case and spacing aside, diacritics kept:
    they tell answers apart) or as its number, read as the share of the points it earns; None when
    the cell holds none of them."""
    written = header_key(_plain_text(cell))
    return next((option.points_share for option in options
                 if written in (header_key(option.vi), str(option.order))), None)


def answer_of(text: str, rule: str) -> Decimal | None:
    """What ``text`` answers for a yes/no (or yes/partly/no) ``rule``, read as "Giá trị" is: 1, 0.5 or
    0; None when it is no answer of that rule."""
    return (VALUE_ANSWERS.get(rule) or {}).get(_folded(text))


def _folded(text: str) -> str:
    """``text`` without diacritics, case or extra spaces: "Một  phần" -> "mot phan", "KHÔNG" -> "khong"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).casefold().split())


def _duplicates(rows_of_component: dict[str, list[int]], records: dict[int, dict]) -> list[_Problem]:
    """Every row of a component written more than once: which value is right only the unit can say."""
    problems = []
    for code, numbers in rows_of_component.items():
        if len(numbers) > 1:
            listed = ", ".join(map(str, numbers))
            problems.extend(
                _Problem(number, "component_code", records[number]["component_code"],
                         f"chỉ số {code} được khai ở nhiều dòng ({listed}); giữ lại một dòng đúng rồi gửi lại",
                         f"indicator {code} appears on several rows ({listed}); keep the one correct row and send "
                         f"the file again")
                for number in numbers)
    return problems


def _nothing_usable(problems: list[_Problem], row_count: int) -> tuple[str, str]:
    """(vi, en) for a file none of whose rows can be used, quoting the first problems."""
    shown = problems[:3]
    where = [f'dòng {problem.row} · cột "{header_of(problem.column)}"' for problem in shown]
    where_en = [f'row {problem.row} · column "{header_of(problem.column)}"' for problem in shown]
    more = len(problems) - len(shown)
    return (
        f"không có dòng chỉ số nào dùng được ({row_count} dòng đều có lỗi): "
        + "; ".join(f"{place}: {problem.vi}" for place, problem in zip(where, shown))
        + (f"; và {more} lỗi khác" if more else "") + "; sửa rồi gửi lại cả tệp",
        f"no usable indicator row (all {row_count} rows have errors): "
        + "; ".join(f"{place}: {problem.en}" for place, problem in zip(where_en, shown))
        + (f"; and {more} more" if more else "") + "; fix them and send the whole file again",
    )


# --- one cell ----------------------------------------------------------------------------------


_FORMULA = ("ô chứa công thức, không phải giá trị ({formula}); mở tệp bằng Excel để Excel tính rồi lưu lại, hoặc ghi "
            "thẳng giá trị",
            "the cell holds a formula, not a value ({formula}); open the file in Excel so that it is calculated and "
            "save it again, or type the value")
_DATE = ('Excel đã đổi ô này thành ngày {day:%d/%m/%Y}; định dạng ô là "Text" (Văn bản) rồi ghi lại',
         'Excel turned this cell into the date {day:%Y-%m-%d}; format the cell as "Text" and type it again')


def _is_blank(cell: _Cell) -> bool:
    return cell.formula is None and (cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()))


def _plain_text(cell: _Cell) -> str:
    if cell.value is None:
        return ""
    if isinstance(cell.value, float) and cell.value.is_integer():
        return str(int(cell.value))
    return unicodedata.normalize("NFC", str(cell.value)).strip()


def _shown(cell: _Cell) -> str | None:
    """The cell as the unit sees it, for the rejected row's raw value."""
    return cell.formula or (_plain_text(cell) or None)


def _required_text(cell: _Cell) -> tuple[str | None, tuple[str, str] | None]:
    if cell.formula:
        return None, (_FORMULA[0].format(formula=cell.formula), _FORMULA[1].format(formula=cell.formula))
    if isinstance(cell.value, (datetime, date)):
        return None, (_DATE[0].format(day=cell.value), _DATE[1].format(day=cell.value))
    text = _plain_text(cell)
    if not text:
        return None, ("chưa nhập; ô này không được để trống", "is empty; this cell must be filled in")
    return text, None


def _count(cell: _Cell, counts_of_rate: bool = True) -> tuple[Decimal | None, tuple[str, str] | None]:
    """A whole non-negative count, or (vi, en) of why the cell is not one.

    ``counts_of_rate``: the cell is a ratio's "Tử số" or "Mẫu số", so a rate written there is
    explained as such; "Giá trị" of a count is a count of its own.
    """
    value = cell.value
    if cell.formula or (isinstance(value, str) and value.strip().startswith("=")):
        formula = cell.formula or value.strip()
        return None, (_FORMULA[0].format(formula=formula), _FORMULA[1].format(formula=formula))
    if _is_blank(cell):
        return None, ("chưa nhập; ghi số lượng bằng chữ số (0 nếu không có), không ghi tỷ lệ",
                      "is empty; write the count in digits (0 if there is none), not a rate")
    if isinstance(value, (datetime, date)):
        return None, (_DATE[0].format(day=value), _DATE[1].format(day=value))
    if isinstance(value, (time, timedelta, bool)):
        return None, (f'phải là số không âm, đang ghi "{value}"', f'must be a non-negative number, found "{value}"')
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
        shown = _plain_text(cell)
        if "%" in cell.number_format:
            return None, _percent_problem(f"{_plain(number * 100)}%", counts_of_rate)
    else:
        shown = _plain_text(cell)
        if shown.endswith("%"):
            return None, _percent_problem(shown, counts_of_rate)
        number = parse_number_text(shown)
        if number is None:
            return None, (f'phải là số không âm, đang ghi "{shown}"; ghi số lượng bằng chữ số',
                          f'must be a non-negative number, found "{shown}"; write the count in digits')
    if number < 0:
        return None, (f'không được âm, đang ghi "{shown}"; ghi số lượng (0 trở lên)',
                      f'must not be negative, found "{shown}"; write the count (0 or more)')
    if number != number.to_integral_value():
        understood = shown != str(number)
        vi = f'phải là số nguyên (số lượng), đang ghi "{shown}"' + (f" (= {number})" if understood else "")
        en = f'must be a whole number (a count), found "{shown}"' + (f" (read as {number})" if understood else "")
        if number < 1 and counts_of_rate:
            vi += f"; nếu đây là tỷ lệ {_plain(number * 100)}% thì ghi số lượng vào Tử số và Mẫu số"
            en += f"; if it is the rate {_plain(number * 100)}%, write the two counts in Tử số and Mẫu số instead"
        return None, (vi, en)
    return Decimal(int(number)), None


def _plain(number: Decimal) -> str:
    """85.00 -> "85", 100 -> "100", 12.50 -> "12.5"."""
    return f"{number.normalize():f}"


def _percent_problem(shown: str, counts_of_rate: bool) -> tuple[str, str]:
    vi, en = (f'ghi số lượng, không ghi tỷ lệ phần trăm, đang ghi "{shown}"',
              f'write a count, not a percentage, found "{shown}"')
    if counts_of_rate:
        return (f"{vi}; Tử số và Mẫu số là hai số đếm, tỷ lệ được tính từ chúng",
                f"{en}; Tử số and Mẫu số are counts and the rate is computed from them")
    return vi, en


_NUMBER_TEXT = re.compile(r"([+-]?)([0-9][0-9.,]*)")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_number_text(text: str) -> Decimal | None:
    """A number written as text, in Vietnamese or English style; None when it is not one.

    - Spaces are thousands separators: "1 234" is 1234.
    - With both '.' and ',' the last one is the decimal separator: "1.234,5" and "1,234.5" are 1234.5.
    - One separator followed by exactly three digits groups thousands: "1.234" and "1,234" are 1234,
      because every figure the template asks for is a count; "0.850" (a leading zero) is 0.85.
    - Otherwise a single '.' or ',' is the decimal separator: "12,5" and "12.5" are 12.5.
    """
    match = _NUMBER_TEXT.fullmatch(_SPACES.sub("", text))
    if not match or match.group(2)[-1] in ".,":
        return None
    sign, digits = match.groups()
    try:
        if "." in digits and "," in digits:
            decimal_mark = max(".", ",", key=digits.rfind)
            group_mark = "," if decimal_mark == "." else "."
            whole, _, fraction = digits.rpartition(decimal_mark)
            if decimal_mark in whole or not _grouped(whole, group_mark):
                return None
            return Decimal(f"{sign}{whole.replace(group_mark, '')}.{fraction}")
        mark = "." if "." in digits else "," if "," in digits else None
        if mark is None:
            return Decimal(sign + digits)
        parts = digits.split(mark)
        if (len(parts) > 2 or len(parts[1]) == 3) and _grouped(digits, mark):
            return Decimal(sign + digits.replace(mark, ""))
        return Decimal(f"{sign}{parts[0]}.{parts[1]}") if len(parts) == 2 else None
    except InvalidOperation:
        return None


def _grouped(digits: str, mark: str) -> bool:
    """Whether ``digits`` is a whole number grouped by thousands with ``mark``, as in 1.234.567."""
    head, *tail = digits.split(mark)
    return (1 <= len(head) <= 3 and head.isdigit() and not head.startswith("0")
            and all(len(group) == 3 and group.isdigit() for group in tail))
