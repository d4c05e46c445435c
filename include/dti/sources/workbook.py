"""A self-assessment file's bytes as a table of cells, and reading what a cell holds.

``xlsx_table`` reads the template's sheet of an .xlsx package, refusing before anything is
unpacked what is not a workbook or would unpack to too much; ``csv_table`` decodes a CSV in any of
the encodings units save in and splits it on the separator its header uses. Either raises
``UnreadableTable`` with what the unit must fix, in Vietnamese and English, when the file cannot
be read as a table at all; whether its rows are right is for ``dti.sources.submission_rules``.

Headers and sheet names are compared by ``header_key``. The reader of the Ministry's values
shares it, ``csv_delimiter`` and ``workbook_package_problem``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import openpyxl

from dti.text_encodings import UnrecognisedEncoding, decode_text

# A filled-in template unpacks to a few hundred kB at most; a package that declares more than
# this is not a template and is refused before anything is decompressed (a "ZIP bomb").
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# One row per indicator: the catalog has a few dozen; more rows than this is not a submission.
MAX_DATA_ROWS = 1000
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[Cell]]]  # (row number as the spreadsheet shows it, cells)
    # Ranges of merged cells in the header row; asked only when the header is not the template's.
    merged_header: Callable[[], list[str]] = list


# --- from bytes to a table of cells ------------------------------------------------------------


def xlsx_table(content: bytes, sheet_name: str) -> Table:
    """The cells of the sheet named ``sheet_name`` (as ``header_key`` compares names) of an .xlsx package."""
    problem = workbook_package_problem(content, ("mẫu tự đánh giá", "the self-assessment template"))
    if problem:
        raise UnreadableTable(*problem)
    try:
        # Read-only mode parses the one sheet read, as it streams, and nothing else of the package.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            found_name = next((name for name in workbook.sheetnames if header_key(name) == header_key(sheet_name)),
                              None)
            if found_name is None:
                found = ", ".join(f'"{name}"' for name in workbook.sheetnames)
                raise UnreadableTable(
                    f'không có sheet "{sheet_name}" (tệp có: {found}); điền số liệu vào sheet "{sheet_name}" của '
                    f"mẫu, không đổi tên sheet",
                    f'sheet "{sheet_name}" is missing (found: {found}); enter the figures in the template\'s sheet '
                    f'"{sheet_name}" and keep its name')
            cells = _sheet_cells(workbook[found_name])
        finally:
            workbook.close()
        # A formula saved without its result reads as an empty cell; only then is it worth
        # reading the sheet a second time, for its formulas.
        formulas = _formulas(content, found_name) if any(c.value is None for row in cells[1:] for c in row) else {}
    except UnreadableTable:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged package
        raise UnreadableTable(
            f"không mở được bảng tính ({type(error).__name__}); mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại",
            f"the workbook cannot be opened ({type(error).__name__}: {error}); open it in Excel, save it again as "
            f".xlsx and resend it") from error
    header = [_header_text(cell.value) for cell in cells[0]] if cells else []
    # Only a formula without its saved result is one: a blank cell beside it does not make it so.
    rows = [(number, [Cell(cell.value, cell.number_format or "General",
                           formulas.get((number, column)) if cell.value is None else None)
                      for column, cell in enumerate(row, start=1)])
            for number, row in enumerate(cells[1:], start=2)]
    return Table(header, rows, lambda: _merged_header_cells(content, found_name))


def _sheet_cells(sheet) -> list[tuple]:
    """The sheet's rows of cells, from row 1, each as long as the file wrote it."""
    # The size a file declares may be wrong (other tools write it); count the rows actually there.
    sheet.reset_dimensions()
    rows = []
    for row in sheet.iter_rows():
        rows.append(row)
        if len(rows) > MAX_DATA_ROWS + 1:
            raise UnreadableTable(
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


def csv_table(content: bytes, file_name: str, headers: Iterable[str]) -> Table:
    """The cells of a CSV file whose header row is meant to hold ``headers`` (the template's)."""
    try:
        text, _encoding = decode_text(content, file_name)
    except UnrecognisedEncoding as error:
        raise UnreadableTable(
            "không nhận ra bảng mã ký tự của tệp CSV (đã thử UTF-8, Windows-1258, TCVN3); trong Excel chọn Lưu thành "
            "\"CSV UTF-8\"",
            "the CSV file's character encoding is not recognised (tried UTF-8, Windows-1258 and TCVN3); in Excel "
            "use Save As \"CSV UTF-8\"") from error
    lines = text.splitlines()
    delimiter = csv_delimiter(lines[0] if lines else "", headers)
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableTable(f"tệp CSV sai cấu trúc ({error}); xuất lại từ mẫu bằng Excel",
                              f"the CSV file is malformed ({error}); export it from the template again") from error
    if len(records) - 1 > MAX_DATA_ROWS:
        raise UnreadableTable(
            f"tệp có {len(records)} dòng, quá {MAX_DATA_ROWS} dòng; mẫu chỉ có một dòng cho mỗi chỉ số",
            f"the file has {len(records)} rows, over {MAX_DATA_ROWS}; the template has one row per indicator")
    header = [_header_text(value) for value in records[0]] if records else []
    # Every CSV value is text; numbers in it are read by the same rules as text typed in a cell.
    rows = [(number, [Cell(value) for value in record]) for number, record in enumerate(records[1:], start=2)]
    return Table(header, rows)


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
