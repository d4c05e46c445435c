"""The Ministry's appendix of components as provinces circulate it: an .xlsx workbook or a .csv file.

The component table sits under a title block: its header row is looked for in the first
``HEADER_SEARCH_ROWS`` rows, by the column names provinces use (``COLUMNS``; case, spacing and
Unicode form do not matter, a trailing "(…)" is ignored). Below it, each row is

- blank: skipped;
- a note ("Ghi chú: …", "Lưu ý: …"): skipped;
- a group row: "1. Nhận thức số (100 điểm)" or "I. NHÓM CHỈ SỐ NỀN TẢNG CHUNG", often merged across
  the columns with the text in the first cell, or spread over the code, name and points cells;
  which of them opens a main index is the importer's to say;
- a component row: a component code such as "1.1", or a rule, evidence, data source or verifying
  unit written.

Every row keeps its sheet and its row number as Excel shows it (a CSV file is one sheet named
after the file, as Excel opens it). A workbook is opened for its values (a formula counts as what
Excel last computed) and not in openpyxl's read-only mode, which does not expose merged cells: a
cell merged down over several rows (a verifying unit shared by components) counts on each row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl

from dti.catalog.text import number_text, text_key
from dti.text_encodings import UnrecognisedEncoding, decode_text

HEADER_SEARCH_ROWS = 15
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Column:
    """A column of the appendix and the names provinces give it, the most specific first."""

    field: str
    names: tuple[str, ...]
    required: bool = True


COLUMNS = (
    Column("code", ("mã chỉ số", "mã", "mã số", "stt", "số tt", "tt")),
    Column("name", ("tên chỉ số", "tên chỉ số thành phần", "chỉ số thành phần", "chỉ số")),
    Column("max_points", ("điểm tối đa", "số điểm tối đa", "thang điểm", "điểm")),
    Column("rule_text", ("cách xác định và tính điểm", "cách tính điểm", "cách xác định", "phương pháp tính điểm")),
    Column("evidence", ("tài liệu kiểm chứng", "tài liệu minh chứng"), required=False),
    Column("data_source", ("nguồn thu thập dữ liệu", "nguồn dữ liệu", "nguồn số liệu"), required=False),
    Column("verifying_unit", ("đơn vị phối hợp xác minh số liệu", "đơn vị phối hợp xác minh", "đơn vị xác minh"),
           required=False),
)
# The column a person reads in a message about a field the file does not have.
DEFAULT_HEADERS = {
    "code": "STT", "name": "Chỉ số", "max_points": "Điểm tối đa", "rule_text": "Cách xác định và tính điểm",
    "evidence": "Tài liệu kiểm chứng", "data_source": "Nguồn thu thập dữ liệu",
    "verifying_unit": "Đơn vị phối hợp xác minh số liệu",
}
# The columns a component row may fill that a group row never does.
_COMPONENT_ONLY_FIELDS = ("rule_text", "evidence", "data_source", "verifying_unit")
_COMPONENT_CODE = re.compile(r"\d+(?:\.\d+)+\.?")
_TRAILING_REMARK = re.compile(r"\s*\([^()]*\)$")
_NOTE_PREFIXES = ("ghi chú", "lưu ý")
_GROUP_NUMBER = re.compile(r"\d+|[IVXLC]+", re.IGNORECASE)
_GROUP_LABEL = re.compile(
    rf"(?:(?P<number>{_GROUP_NUMBER.pattern})\s*[.):\-]?\s+)?(?P<name>.*?)\s*(?:\((?P<points>[^()]*điểm[^()]*)\))?",
    re.IGNORECASE)


class AppendixReadError(ValueError):
    """The file cannot be read as an appendix at all (no table, not a workbook or CSV)."""

    def __init__(self, reason: str, sheet: str | None = None):
        super().__init__(reason)
        self.sheet = sheet


@dataclass(frozen=True)
class Place:
    """Where a row is: its sheet and its row number as Excel shows it (1 first)."""

    sheet: str
    row: int


@dataclass(frozen=True)
class GroupRow:
    """A row that opens a part of the table: a main index or a group of them."""

    place: Place
    text: str  # the row as written, for messages
    number: str  # "1", "I" or "" when the row has none
    name: str
    points_text: str  # what the row says of its points ("100 điểm"), or ""


@dataclass(frozen=True)
class ComponentRow:
    """A component as the appendix writes it, every cell as text (NFC, surrounding spaces removed)."""

    place: Place
    code: str
    name: str
    max_points: str
    rule_text: str
    evidence: str
    data_source: str
    verifying_unit: str


@dataclass(frozen=True)
class Appendix:
    file_name: str
    sha256: str
    sheet: str
    header_row: int
    title: str  # the first non-empty cell above the header row, as written
    headers: dict[str, str]  # field -> its column's header as written in the file
    rows: tuple[GroupRow | ComponentRow, ...]

    @property
    def appendix_ref(self) -> str:
        """The short reference the catalog names the appendix by: the first 12 hex digits of its SHA-256."""
        return self.sha256[:12]

    def header(self, field: str) -> str:
        return self.headers.get(field, DEFAULT_HEADERS[field])


def read_appendix(path: Path, sheet: str | None = None) -> Appendix:
    """The appendix in ``path`` (.xlsx or .csv); ``sheet`` names the workbook sheet holding the
    table, by default the first sheet that has one."""
    content = path.read_bytes()
    suffix = path.suffix.casefold()
    if suffix in WORKBOOK_SUFFIXES:
        tables = _workbook_tables(content, sheet)
    elif suffix == ".csv":
        tables = _csv_tables(content, path)
    else:
        raise AppendixReadError(f"{path.suffix or 'a file without extension'} is not read: save the appendix as "
                                f".xlsx or .csv (UTF-8)")
    for sheet_name, grid in tables:
        header = _find_header(grid)
        if header is not None:
            header_row, positions = header
            return Appendix(
                file_name=path.name,
                sha256=hashlib.sha256(content).hexdigest(),
                sheet=sheet_name,
                header_row=header_row + 1,
                title=next((text for row in grid[:header_row] for text in map(_cell_text, row) if text), ""),
                headers={field: _cell_text(grid[header_row][column]) for field, column in positions.items()},
                rows=tuple(_table_rows(grid, header_row, positions, sheet_name)),
            )
    searched = ", ".join(f'"{name}"' for name, _ in tables) or "none"
    expected = ", ".join(f'"{DEFAULT_HEADERS[column.field]}"' for column in COLUMNS if column.required)
    raise AppendixReadError(f"no header row with the columns {expected} in the first {HEADER_SEARCH_ROWS} rows of "
                            f"the sheets searched ({searched})", sheet)


# --- the file's tables ---------------------------------------------------------------------------

Grid = list[list[object]]


def _workbook_tables(content: bytes, sheet: str | None) -> list[tuple[str, Grid]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise AppendixReadError(f"not a readable .xlsx workbook ({error}); open it in Excel and save it again as "
                                f".xlsx") from error
    if sheet is not None and sheet not in workbook.sheetnames:
        listed = ", ".join(f'"{name}"' for name in workbook.sheetnames)
        raise AppendixReadError(f'the workbook has no sheet "{sheet}" (it has {listed})', sheet)
    names = [sheet] if sheet is not None else workbook.sheetnames
    return [(name, _worksheet_grid(workbook[name])) for name in names]


def _worksheet_grid(worksheet) -> Grid:
    grid = [list(row) for row in worksheet.iter_rows(min_row=1, max_row=worksheet.max_row, min_col=1,
                                                     max_col=worksheet.max_column, values_only=True)]
    for merged in worksheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for row in range(merged.min_row + 1, merged.max_row + 1):
            grid[row - 1][merged.min_col - 1] = value
    return grid


def _csv_tables(content: bytes, path: Path) -> list[tuple[str, Grid]]:
    try:
        text, _ = decode_text(content, path.name)
    except UnrecognisedEncoding as error:
        raise AppendixReadError("the file is not UTF-8 text: save the appendix as CSV UTF-8") from error
    # The delimiter is the one that splits a header row out of the file (Excel writes ';' where the
    # decimal separator is a comma).
    grids = [list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)) for delimiter in CSV_DELIMITERS]
    grid = next((grid for grid in grids if _find_header(grid) is not None), grids[0])
    return [(path.stem, grid)]


def _find_header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    """The header row's index and each field's column, for the first row that has every required column."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        best: dict[str, tuple[int, int]] = {}  # field -> (rank of the name matched, column)
        for column_index, value in enumerate(row):
            header = _TRAILING_REMARK.sub("", text_key(_cell_text(value)))
            for column in COLUMNS:
                if header in column.names:
                    match = (column.names.index(header), column_index)
                    best[column.field] = min(best.get(column.field, match), match)
        if all(column.field in best for column in COLUMNS if column.required):
            return index, {field: column for field, (_, column) in best.items()}
    return None


def _table_rows(grid: Grid, header_row: int, positions: dict[str, int],
                sheet: str) -> list[GroupRow | ComponentRow]:
    rows: list[GroupRow | ComponentRow] = []
    for index in range(header_row + 1, len(grid)):
        cells = grid[index]
        written = [text for text in map(_cell_text, cells) if text]
        if not written or text_key(written[0]).startswith(_NOTE_PREFIXES):
            continue
        values = {field: _cell_text(cells[column]) if column < len(cells) else ""
                  for field, column in positions.items()}
        values.update({column.field: "" for column in COLUMNS if column.field not in values})
        place = Place(sheet, index + 1)
        if _COMPONENT_CODE.fullmatch(values["code"]) or any(values[field] for field in _COMPONENT_ONLY_FIELDS):
            single_line = {field: " ".join(values[field].split()) for field in ("code", "name", "max_points")}
            single_line["code"] = single_line["code"].rstrip(".")  # "1.1." as some appendices number
            rows.append(ComponentRow(place=place, **{**values, **single_line}))
        else:
            rows.append(_group_row(place, written, values))
    return rows


def _group_row(place: Place, written: list[str], values: dict[str, str]) -> GroupRow:
    if len(written) == 1:
        text = " ".join(written[0].split())
        label = _GROUP_LABEL.fullmatch(text)
        return GroupRow(place, text, label.group("number") or "", label.group("name"), label.group("points") or "")
    number, name, points = (" ".join(values[field].split()) for field in ("code", "name", "max_points"))
    # With both a serial-number column and a code column, a group's number is in the first one.
    serial = written[0].rstrip(".")
    number = number.rstrip(".") or (serial if _GROUP_NUMBER.fullmatch(serial) else "")
    return GroupRow(place, " ".join(" ".join(written).split()), number, name, points)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").strip()
