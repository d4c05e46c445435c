"""A self-assessment file's bytes as a table of cells, and reading what a cell holds.

``workbook_table`` reads the template's sheet of a workbook as older and newer Excel and
LibreOffice save it: .xlsx with openpyxl, .xls and .ods with calamine, whose numbers and dates
are given back as openpyxl gives them so that one set of rules reads every format. It goes by what
the bytes are, not by the file's name, and refuses before anything is unpacked or built what is
not a workbook, would unpack to too much (a "ZIP bomb") or spans more cells than a template could
(``dti.sources.sheet_extent``). ``csv_table`` decodes a CSV (or the tab-separated "Unicode Text"
Excel saves as .txt) in any of the encodings units save in, honours Excel's ``sep=`` first line
and otherwise splits on the separator its header uses. Either raises ``UnreadableTable`` with what
the unit must fix, in Vietnamese and English, when the file cannot be read as a table at all.

A table is every row of the sheet from its first, numbered as the spreadsheet shows it: clerks
put a title block above the template's header row, and ``header_row`` finds that row among the
first ``HEADER_SEARCH_ROWS``. Whether the rows below it are right is for
``dti.sources.submission_rules``.

Headers and sheet names are compared by ``header_key``. The reader of the Ministry's values
shares it, ``csv_delimiter`` and ``workbook_package_problem``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

import openpyxl
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from dti.sources.sheet_extent import DamagedFile, ods_sheet_extents, xls_sheet_extents
from dti.text_encodings import UnrecognisedEncoding, decode_text

# A filled-in template unpacks to a few hundred kB at most; a package that declares more than
# this is not a template and is refused before anything is decompressed (a "ZIP bomb").
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# One row per indicator: the catalog has a few dozen; more rows than this is not a submission.
MAX_DATA_ROWS = 1000
# The header row is looked for in this many rows from the top, under a title block
# ("UBND XÃ …", "BÁO CÁO TỰ ĐÁNH GIÁ …", the period, blank rows).
HEADER_SEARCH_ROWS = 20
# A sheet of a .xls or .ods file spanning more cells than this (from its first written cell to its
# last) is no template: calamine would build every one of them in memory before anything is read.
MAX_SHEET_CELLS = 1_000_000
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Excel writes "sep=;" as a CSV's first line to name its separator, and hides that line.
_SEPARATOR_LINE = re.compile(r"sep=(.)", re.IGNORECASE)


class UnreadableTable(Exception):
    """The file cannot be read as a table; ``vi`` and ``en`` say what the unit must fix."""

    def __init__(self, vi: str, en: str):
        super().__init__(en)
        self.vi = vi
        self.en = en


@dataclass(frozen=True)
class Cell:
    value: object = None  # as the file holds it: str, int, float, datetime, bool or None
    number_format: str = "General"
    formula: str | None = None  # set when the cell holds a formula whose result the file did not save


def _no_merged_cells(row: int) -> list[str]:
    return []


@dataclass
class Table:
    # Every row from the sheet's first: (row number as the spreadsheet shows it, cells).
    rows: list[tuple[int, list[Cell]]]
    # Row number -> the ranges of merged cells that start on it ("F5:G5"); asked only when a
    # header row is not the template's, to explain why.
    merged_cells: Callable[[int], list[str]] = field(default=_no_merged_cells)


def header_row(table: Table, headers: Iterable[str]) -> int | None:
    """The position in ``table.rows`` of its header row: of the first ``HEADER_SEARCH_ROWS`` rows, the
    one that names the most of ``headers`` (the first of equals); None when none names any."""
    known = {header_key(header) for header in headers}
    named = [(sum(header_key(_header_text(cell.value)) in known for cell in cells), index)
             for index, (_, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS])]
    count, index = max(named, key=lambda pair: (pair[0], -pair[1]), default=(0, None))
    return index if count else None


def header_texts(cells: list[Cell]) -> list[str]:
    """The header row's cells as the text each column is known by."""
    return [_header_text(cell.value) for cell in cells]


# --- from bytes to a table of cells ------------------------------------------------------------


def workbook_table(content: bytes, sheet_name: str, suffix: str) -> Table:
    """The cells of the sheet named ``sheet_name`` (as ``header_key`` compares names) of a workbook:
    .xlsx, .xls or .ods, whichever the bytes are; ``suffix`` (".xlsx") is the file's name's, which
    the reasons quote."""
    if content.startswith(_OLE2_MAGIC):
        return _calamine_table(content, sheet_name, suffix, xls_sheet_extents)
    problem = workbook_package_problem(content, ("mẫu tự đánh giá", "the self-assessment template"), suffix)
    if problem:
        raise UnreadableTable(*problem)
    if _is_open_document(content):
        return _calamine_table(content, sheet_name, suffix, _ods_extents)
    return _xlsx_table(content, sheet_name)


def _xlsx_table(content: bytes, sheet_name: str) -> Table:
    try:
        # Read-only mode parses the one sheet read, as it streams, and nothing else of the package.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            found_name = next((name for name in workbook.sheetnames if header_key(name) == header_key(sheet_name)),
                              None)
            if found_name is None:
                raise UnreadableTable(*_missing_sheet(sheet_name, workbook.sheetnames))
            cells = _sheet_cells(workbook[found_name])
        finally:
            workbook.close()
        # A formula saved without its result reads as an empty cell; only then is it worth
        # reading the sheet a second time, for its formulas.
        formulas = _formulas(content, found_name) if any(c.value is None for row in cells for c in row) else {}
    except UnreadableTable:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged package
        raise UnreadableTable(*_cannot_open(error)) from error
    # Only a formula without its saved result is one: a blank cell beside it does not make it so.
    rows = [(number, [Cell(cell.value, cell.number_format or "General",
                           formulas.get((number, column)) if cell.value is None else None)
                      for column, cell in enumerate(row, start=1)])
            for number, row in enumerate(cells, start=1)]
    return Table(rows, lambda row: _merged_cells_of_row(content, found_name, row))


def _sheet_cells(sheet) -> list[tuple]:
    """The sheet's rows of cells, from row 1, each as long as the file wrote it."""
    # The size a file declares may be wrong (other tools write it); count the rows actually there.
    sheet.reset_dimensions()
    rows = []
    for row in sheet.iter_rows():
        rows.append(row)
        _check_row_count(len(rows))
    return rows


def _check_row_count(rows: int) -> None:
    if rows > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
        raise UnreadableTable(
            f"sheet có hơn {MAX_DATA_ROWS} dòng; mẫu chỉ có một dòng cho mỗi chỉ số",
            f"the sheet has more than {MAX_DATA_ROWS} rows; the template has one row per indicator")


def _cannot_open(error: Exception) -> tuple[str, str]:
    return (f"không mở được bảng tính ({type(error).__name__}); mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại",
            f"the workbook cannot be opened ({type(error).__name__}: {error}); open it in Excel, save it again as "
            f".xlsx and resend it")


def _is_open_document(content: bytes) -> bool:
    """Whether a ZIP package is an OpenDocument spreadsheet (.ods), by the mimetype it stores first."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        try:
            return package.read("mimetype").strip() == _ODS_MIMETYPE
        except KeyError:
            return False


def _ods_extents(content: bytes) -> list[tuple[int, int]]:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return ods_sheet_extents(package)


def _calamine_table(content: bytes, sheet_name: str, suffix: str,
                    sheet_extents: Callable[[bytes], list[tuple[int, int]]]) -> Table:
    """The cells of a .xls or .ods sheet, each value as openpyxl gives it for the same cell of an .xlsx."""
    try:
        extents = sheet_extents(content)
    except (DamagedFile, zipfile.BadZipFile, ValueError) as error:
        raise UnreadableTable(*_not_a_legacy_workbook(suffix)) from error
    widest = max(extents, key=lambda extent: extent[0] * extent[1], default=(0, 0))
    if widest[0] * widest[1] > MAX_SHEET_CELLS:
        raise UnreadableTable(
            f"bảng tính trải trên {widest[0]} dòng × {widest[1]} cột, vượt giới hạn {MAX_SHEET_CELLS} ô; đây không "
            f"phải mẫu tự đánh giá, hãy gửi đúng mẫu đã điền",
            f"the workbook spans {widest[0]} rows × {widest[1]} columns, over the {MAX_SHEET_CELLS}-cell limit; it "
            f"is not the self-assessment template, send the template filled in")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        try:
            found_name = next((name for name in workbook.sheet_names if header_key(name) == header_key(sheet_name)),
                              None)
            if found_name is None:
                raise UnreadableTable(*_missing_sheet(sheet_name, workbook.sheet_names))
            sheet = workbook.get_sheet_by_name(found_name)
            values = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        finally:
            workbook.close()
    except UnreadableTable:
        raise
    except Exception as error:  # calamine raises its own kinds, and Python's, for a damaged file
        if content.startswith(_OLE2_MAGIC):
            raise UnreadableTable(*_not_a_legacy_workbook(suffix)) from error
        raise UnreadableTable(*_cannot_open(error)) from error
    _check_row_count(len(values))
    rows = [(number, [_calamine_cell(value) for value in row]) for number, row in enumerate(values, start=1)]

    def merged_cells(row: int) -> list[str]:
        return [f"{get_column_letter(first[1] + 1)}{first[0] + 1}:{get_column_letter(last[1] + 1)}{last[0] + 1}"
                for first, last in merged if first[0] + 1 == row]

    return Table(rows, merged_cells)


def _calamine_cell(value: object) -> Cell:
    """A cell as openpyxl reads it: empty is None, a whole number an int, a date a datetime.

    calamine does not give number formats: a fraction in a cell formatted as a percentage reads as
    the fraction, which the rules refuse as a count all the same.
    """
    if value == "":
        return Cell()
    if isinstance(value, float) and value.is_integer():
        return Cell(int(value))
    if isinstance(value, date) and not isinstance(value, datetime):
        return Cell(datetime.combine(value, time()))
    return Cell(value)


def _missing_sheet(sheet_name: str, names: list[str]) -> tuple[str, str]:
    found = ", ".join(f'"{name}"' for name in names)
    return (f'không có sheet "{sheet_name}" (tệp có: {found}); điền số liệu vào sheet "{sheet_name}" của mẫu, không '
            f"đổi tên sheet",
            f'sheet "{sheet_name}" is missing (found: {found}); enter the figures in the template\'s sheet '
            f'"{sheet_name}" and keep its name')


def _not_a_legacy_workbook(suffix: str) -> tuple[str, str]:
    """(vi, en) for a Compound File (OLE2) no .xls can be read from: damaged, or encrypted by a password."""
    if suffix == ".xlsx":
        return _RENAMED_OR_PROTECTED
    return (f"tệp {suffix} bị hỏng, chưa tải/chép hết hoặc có đặt mật khẩu; mở bằng Excel hoặc LibreOffice, bỏ mật "
            f"khẩu nếu có, lưu lại dạng .xlsx rồi gửi lại",
            f"the {suffix} file is damaged, incomplete or password-protected; open it in Excel or LibreOffice, remove "
            f"any password, save it as .xlsx and resend it")


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


def _merged_cells_of_row(content: bytes, sheet_name: str, row: int) -> list[str]:
    # Only a full load knows merged cells; it is needed only to explain a header that is wrong.
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    try:
        return [str(merged) for merged in workbook[sheet_name].merged_cells.ranges if merged.min_row == row]
    finally:
        workbook.close()


def workbook_package_problem(content: bytes, form: tuple[str, str], suffix: str = ".xlsx") -> tuple[str, str] | None:
    """(vi, en) of why ``content`` cannot be opened as a workbook package (.xlsx, .ods) without
    unpacking it (not a package, damaged, or declaring too much once unpacked: a "ZIP bomb"); None
    when it can.

    ``form`` names, (vi, en), what the sender should have sent instead; ``suffix`` is the file's
    name's, which the reasons quote.
    """
    if not content.startswith(b"PK"):
        return _not_a_workbook(content, suffix)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        return (f"tệp {suffix} bị hỏng hoặc chưa tải/chép hết; mở bằng Excel, lưu lại rồi gửi lại",
                f"not a valid {suffix} file: the package is damaged or incomplete ({error}); was the download or copy "
                f"cut short? Open it in Excel, save it again and resend it")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        return (f"tệp nén khai báo {unpacked} byte khi giải nén, vượt giới hạn {MAX_UNPACKED_BYTES} byte; đây "
                f"không phải {form[0]}, hãy gửi đúng {form[0]} đã điền",
                f"the package declares {unpacked} bytes once unpacked, over the {MAX_UNPACKED_BYTES}-byte limit; it "
                f"is not {form[1]}, send {form[1]} filled in")
    return None


_RENAMED_OR_PROTECTED = (
    "đây là bảng tính Excel 97–2003 (.xls) hoặc tệp có đặt mật khẩu, chỉ đổi tên thành .xlsx; mở bằng Excel, bỏ mật "
    "khẩu nếu có, chọn Lưu thành \"Excel Workbook (*.xlsx)\"",
    "not a valid .xlsx file: it is an Excel 97–2003 (.xls) or password-protected workbook renamed .xlsx; open it in "
    "Excel, remove any password and Save As \"Excel Workbook (*.xlsx)\"")


def _not_a_workbook(content: bytes, suffix: str = ".xlsx") -> tuple[str, str]:
    """(vi, en): what the bytes of a file named as a workbook really are, and how to send a workbook instead."""
    start = content[:512].lstrip().lower()
    if suffix != ".xlsx" and not start.startswith((b"<", b"%pdf")):
        return (f"đây không phải bảng tính {suffix} (có thể là tệp văn bản/CSV bị đổi đuôi); lưu lại bằng Excel dạng "
                f".xlsx, hoặc gửi tệp CSV với đuôi .csv",
                f"not a valid {suffix} file (perhaps a text/CSV file renamed {suffix}); save it from Excel as .xlsx, "
                f"or send a CSV file named .csv")
    if content.startswith(_OLE2_MAGIC):
        return _RENAMED_OR_PROTECTED
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


def csv_table(content: bytes, file_name: str, headers: Iterable[str]) -> Table:
    """The cells of a CSV file (or tab-separated text) whose header row is meant to hold ``headers``
    (the template's)."""
    headers = list(headers)
    text = _decoded_text(content, file_name)
    lines = text.splitlines()
    separator_line = _SEPARATOR_LINE.fullmatch(lines[0].strip()) if lines else None
    if separator_line:
        # Excel takes the line as the separator's name and shows the table from row 1 under it.
        delimiter = separator_line.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        # The header row may sit under a title block: the line that names the most headers decides.
        header_line = max(lines[:HEADER_SEARCH_ROWS] or [""], key=lambda line: _headers_named(line, headers))
        delimiter = csv_delimiter(header_line, headers)
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableTable(f"tệp CSV sai cấu trúc ({error}); xuất lại từ mẫu bằng Excel",
                              f"the CSV file is malformed ({error}); export it from the template again") from error
    if len(records) > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
        raise UnreadableTable(
            f"tệp có {len(records)} dòng, quá {MAX_DATA_ROWS} dòng; mẫu chỉ có một dòng cho mỗi chỉ số",
            f"the file has {len(records)} rows, over {MAX_DATA_ROWS}; the template has one row per indicator")
    # Every CSV value is text; numbers in it are read by the same rules as text typed in a cell.
    return Table([(number, [Cell(value) for value in record]) for number, record in enumerate(records, start=1)])


def _decoded_text(content: bytes, file_name: str) -> str:
    """The text of a CSV or text file: UTF-16 when it starts with that byte-order mark (Excel's
    "Unicode Text"), else whichever encoding units save in reads it as Vietnamese."""
    try:
        if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return unicodedata.normalize("NFC", content.decode("utf-16"))
        return decode_text(content, file_name)[0]
    except (UnrecognisedEncoding, UnicodeDecodeError) as error:
        raise UnreadableTable(
            "không nhận ra bảng mã ký tự của tệp CSV (đã thử UTF-8, UTF-16, Windows-1258, TCVN3); trong Excel chọn "
            "Lưu thành \"CSV UTF-8\"",
            "the CSV file's character encoding is not recognised (tried UTF-8, UTF-16, Windows-1258 and TCVN3); in "
            "Excel use Save As \"CSV UTF-8\"") from error


def _headers_named(line: str, headers: list[str]) -> int:
    known = {header_key(header) for header in headers}
    return max(sum(header_key(part) in known for part in line.split(candidate)) for candidate in (";", ",", "\t"))


def csv_delimiter(header_line: str, headers: Iterable[str]) -> str:
    """The separator that splits the header line into the most of ``headers``.

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


# --- what a cell holds -------------------------------------------------------------------------


def is_blank(cell: Cell) -> bool:
    return cell.formula is None and (cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()))


def plain_text(cell: Cell) -> str:
    if cell.value is None:
        return ""
    if isinstance(cell.value, float) and cell.value.is_integer():
        return str(int(cell.value))
    return unicodedata.normalize("NFC", str(cell.value)).strip()
