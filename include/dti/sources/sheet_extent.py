"""How many cells the sheets of an .xls or .ods file span, measured before a reader builds them.

A reader of these formats (calamine) builds each sheet as a dense grid from its first written
cell to its last: two cells far apart in a 6 kB .xls make a grid of millions of cells and a
gigabyte of memory, the spreadsheet's version of a ZIP bomb. ``xls_sheet_extents`` and
``ods_sheet_extents`` find each sheet's (rows, columns) from the file's own records without
building anything, so that a file spanning more than a template's worth of cells is refused first.

An .xls file is a Compound File (OLE2) holding a "Workbook" stream of BIFF records, each cell
record starting with its row and column; an .ods file is a ZIP package whose ``content.xml``
writes rows and cells, either of which may stand for many ("number-rows-repeated").
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ElementTree
import zipfile
from collections.abc import Iterator

_FREE_OR_END = 0xFFFFFFFA  # sector numbers from here up end a chain or mark unused sectors
_STREAM = 2
# BIFF records that hold one cell: row (u16) then column (u16) at the start of their data.
_CELL_RECORDS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6, 0x0406}
# BIFF records that hold a run of cells in one row: row, first column, …, last column (u16 at the end).
_CELL_RUN_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK
_BOF, _EOF = 0x0809, 0x000A
_OPEN_DOCUMENT_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OPEN_DOCUMENT_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class DamagedFile(ValueError):
    """The file's structure cannot be followed: it is damaged, truncated or not what its name says."""


def xls_sheet_extents(content: bytes) -> list[tuple[int, int]]:
    """(rows, columns) from the first written cell to the last, of each sheet of an .xls workbook."""
    extents = []
    first_row = first_column = None
    last_row = last_column = -1
    depth = 0
    for record_type, data in _biff_records(_workbook_stream(content)):
        if record_type == _BOF:
            depth += 1
            if depth == 1:  # a chart's substream nests inside its sheet's
                first_row = first_column = None
                last_row = last_column = -1
        elif record_type == _EOF:
            depth = max(0, depth - 1)
            if depth == 0 and first_row is not None:
                extents.append((last_row - first_row + 1, last_column - first_column + 1))
                first_row = None
        elif depth and len(data) >= 6 and record_type in _CELL_RECORDS | _CELL_RUN_RECORDS:
            row, column = struct.unpack_from("<HH", data)
            end_column = struct.unpack_from("<H", data, len(data) - 2)[0] if record_type in _CELL_RUN_RECORDS \
                else column
            first_row = row if first_row is None else min(first_row, row)
            first_column = column if first_column is None else min(first_column, column)
            last_row, last_column = max(last_row, row), max(last_column, end_column)
    if first_row is not None:  # a sheet cut off before its end record still counts
        extents.append((last_row - first_row + 1, last_column - first_column + 1))
    return extents


def ods_sheet_extents(package: zipfile.ZipFile) -> list[tuple[int, int]]:
    """(rows, columns) up to the last cell holding something, of each sheet of an .ods package.

    Empty rows and cells repeated at a sheet's end (LibreOffice writes a million of them) count
    for nothing; a written cell repeated counts as often as it is repeated.
    """
    table, row, cell = (f"{{{_OPEN_DOCUMENT_TABLE}}}{name}" for name in ("table", "table-row", "table-cell"))
    covered = f"{{{_OPEN_DOCUMENT_TABLE}}}covered-table-cell"
    rows_repeated = f"{{{_OPEN_DOCUMENT_TABLE}}}number-rows-repeated"
    columns_repeated = f"{{{_OPEN_DOCUMENT_TABLE}}}number-columns-repeated"
    value_type = f"{{{_OPEN_DOCUMENT_OFFICE}}}value-type"
    extents: list[tuple[int, int]] = []
    rows_seen = columns_seen = last_row = last_column = 0
    try:
        with package.open("content.xml") as content:
            for event, element in ElementTree.iterparse(content, events=("start", "end")):
                if event == "start":
                    if element.tag == table:
                        rows_seen = last_row = last_column = 0
                    elif element.tag == row:
                        columns_seen = 0
                    continue
                if element.tag in (cell, covered):
                    repeated = _repeat(element.get(columns_repeated))
                    if element.get(value_type) or len(element):
                        last_column = max(last_column, columns_seen + repeated)
                        last_row = max(last_row, rows_seen + 1)
                    columns_seen += repeated
                    element.clear()
                elif element.tag == row:
                    repeated = _repeat(element.get(rows_repeated))
                    if last_row == rows_seen + 1:  # the row holds something: so does each repeat
                        last_row = rows_seen + repeated
                    rows_seen += repeated
                    element.clear()
                elif element.tag == table:
                    extents.append((last_row, last_column))
                    element.clear()
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, EOFError) as error:
        raise DamagedFile(f"content.xml cannot be read ({error})") from error
    return extents


def _repeat(written: str | None) -> int:
    try:
        return max(1, int(written)) if written else 1
    except ValueError:
        return 1


# --- the Compound File (OLE2) that carries an .xls workbook -------------------------------------


def _workbook_stream(content: bytes) -> bytes:
    """The bytes of the "Workbook" (BIFF8) or "Book" (BIFF5) stream of a Compound File."""
    if len(content) < 512:
        raise DamagedFile("shorter than a Compound File header")
    sector_size = 1 << struct.unpack_from("<H", content, 0x1E)[0]
    mini_sector_size = 1 << struct.unpack_from("<H", content, 0x20)[0]
    if sector_size not in (512, 4096) or mini_sector_size != 64:
        raise DamagedFile("not a Compound File header")
    first_directory, = struct.unpack_from("<I", content, 0x30)
    mini_cutoff, first_mini_fat, _ = struct.unpack_from("<III", content, 0x38)
    first_difat, difat_count = struct.unpack_from("<II", content, 0x44)
    sector_count = max(0, len(content) // sector_size - 1)

    def sector(number: int) -> bytes:
        if number >= sector_count:
            raise DamagedFile(f"sector {number} lies past the end of the file")
        start = (number + 1) * sector_size
        return content[start:start + sector_size]

    fat_sectors = [n for n in struct.unpack_from("<109I", content, 0x4C) if n < _FREE_OR_END]
    next_difat = first_difat
    for _ in range(min(difat_count, sector_count)):
        if next_difat >= _FREE_OR_END:
            break
        entries = struct.unpack(f"<{sector_size // 4}I", sector(next_difat))
        fat_sectors += [n for n in entries[:-1] if n < _FREE_OR_END]
        next_difat = entries[-1]
    fat = [entry for n in fat_sectors for entry in struct.unpack(f"<{sector_size // 4}I", sector(n))]

    def chain(first: int, table: list[int], limit: int) -> Iterator[int]:
        number, steps = first, 0
        while number < _FREE_OR_END:
            if number >= len(table) or steps > limit:
                raise DamagedFile("a sector chain loops or leaves the file")
            yield number
            number, steps = table[number], steps + 1

    directory = b"".join(sector(n) for n in chain(first_directory, fat, sector_count))
    entries = [directory[offset:offset + 128] for offset in range(0, len(directory) - 127, 128)]
    if not entries:
        raise DamagedFile("the Compound File has no directory")
    root = entries[0]
    mini_stream = b"".join(sector(n) for n in chain(struct.unpack_from("<I", root, 0x74)[0], fat, sector_count))
    mini_fat = [entry for n in chain(first_mini_fat, fat, sector_count)
                for entry in struct.unpack(f"<{sector_size // 4}I", sector(n))]
    for entry in entries:
        name_length = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
        name = entry[:max(0, name_length - 2)].decode("utf-16-le", "replace")
        if entry[0x42] != _STREAM or name not in ("Workbook", "Book"):
            continue
        start, size = struct.unpack_from("<IQ", entry, 0x74)
        size &= 0xFFFFFFFF  # version 3 files leave the high half undefined
        if size < mini_cutoff:
            chunks = [mini_stream[n * mini_sector_size:(n + 1) * mini_sector_size]
                      for n in chain(start, mini_fat, len(mini_stream) // mini_sector_size)]
        else:
            chunks = [sector(n) for n in chain(start, fat, sector_count)]
        return b"".join(chunks)[:size]
    raise DamagedFile("the Compound File holds no Workbook stream")


def _biff_records(stream: bytes) -> Iterator[tuple[int, bytes]]:
    offset = 0
    while offset + 4 <= len(stream):
        record_type, length = struct.unpack_from("<HH", stream, offset)
        yield record_type, stream[offset + 4:offset + 4 + length]
        offset += 4 + length
