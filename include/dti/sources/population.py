"""Adult population by commune and ward, from the provincial statistics office: the denominator of
the personal digital signature target.

The office sends a CSV with one row per commune or ward and year. It is read with the same
conventions as the certificate providers' files (text decoding, row numbers, reasons in
Vietnamese and English), which ``dti.sources.certificates`` provides.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from dti.sources import RejectedRow
from dti.sources.certificates import (
    RowProblems,
    UnreadableAgencyFile,
    decode_agency_text,
    delimited_records,
    file_reason,
    parse_ward_code,
)

SOURCE_NAME = "population"
SOURCE_VI, SOURCE_EN = "Thống kê tỉnh", "provincial statistics office"
DELIMITER = ","
# The office's header -> column in raw.adult_population.
COLUMNS = {
    "Mã xã/phường": "nso_ward_code",
    "Tên xã/phường": "commune_name",
    "Năm": "year",
    "Dân số từ 18 tuổi trở lên": "adult_population",
}
HEADERS = list(COLUMNS)
YEAR = re.compile(r"(19|20)[0-9]{2}")
# Whole people, optionally grouped by thousands the Vietnamese way (12.345) or the English way
# (12,345) or with spaces; a decimal part is never a head count.
HEAD_COUNT = re.compile(r"[0-9]+|[0-9]{1,3}([., ])[0-9]{3}(?:\1[0-9]{3})*")


@dataclass
class PopulationFile:
    encoding: str
    rows: list[dict] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


def read_population_file(content: bytes, file_name: str, max_bytes: int, ward_codes: Collection[str]) -> PopulationFile:
    """Read the office's file; raise UnreadableAgencyFile when no row of it can be trusted."""
    text, encoding = decode_agency_text(content, file_name, max_bytes)
    header, records = delimited_records(text, DELIMITER, file_name)
    missing = [name for name in HEADERS if name not in header]
    if missing:
        listed = ", ".join(f"'{name}'" for name in missing)
        raise UnreadableAgencyFile(file_reason(
            file_name, f"dòng tiêu đề thiếu cột {listed}; dùng mẫu gồm các cột {', '.join(HEADERS)}",
            f"the header row lacks column {listed}; use the layout with columns {', '.join(HEADERS)}",
            source=SOURCE_VI))
    position = {name: header.index(column) for column, name in COLUMNS.items()}
    result = PopulationFile(encoding=encoding)
    first_row_of: dict[tuple[str, int], int] = {}
    for row_number, cells in records:
        problems = RowProblems(SOURCE_VI, SOURCE_EN, file_name, row_number)
        if problems.check_width(cells, header):
            record = _parse_population(cells, position, ward_codes, problems)
            key = (record["nso_ward_code"], record["year"])
            if key in first_row_of:
                problems.add(_header_of("year"), cells[position["year"]],
                             f"xã/phường {key[0]} năm {key[1]} đã có ở dòng {first_row_of[key]}; bỏ dòng trùng",
                             f"commune/ward {key[0]} for {key[1]} is already on row {first_row_of[key]}; "
                             f"remove the duplicate")
            elif not problems.items:
                first_row_of[key] = row_number
        if problems.items:
            result.rejected.extend(problems.items)
        else:
            result.rows.append({**record, "_row_number": row_number})
    if not result.rows and not result.rejected:
        raise UnreadableAgencyFile(file_reason(
            file_name, "chỉ có dòng tiêu đề, không có số liệu xã/phường nào", "only a header row, no commune row",
            source=SOURCE_VI))
    return result


def _parse_population(cells: list[str], position: dict[str, int], ward_codes: Collection[str],
                      problems: RowProblems) -> dict:
    raw = {name: cells[index] for name, index in position.items()}
    record = {"nso_ward_code": None, "commune_name": raw["commune_name"] or None, "year": None,
              "adult_population": None}
    record["nso_ward_code"], problem = parse_ward_code(raw["nso_ward_code"], ward_codes)
    if problem:
        problems.add(_header_of("nso_ward_code"), raw["nso_ward_code"], *problem)
    if YEAR.fullmatch(raw["year"]):
        record["year"] = int(raw["year"])
    else:
        problems.add(_header_of("year"), raw["year"], f"'{raw['year']}' không phải năm 4 chữ số",
                     f"'{raw['year']}' is not a four-digit year")
    record["adult_population"] = _head_count(raw["adult_population"])
    if record["adult_population"] is None:
        problems.add(_header_of("adult_population"), raw["adult_population"],
                     f"'{raw['adult_population']}' không phải số người (số nguyên dương, ví dụ 23456 hoặc 23.456)",
                     f"'{raw['adult_population']}' is not a head count (a positive whole number, e.g. 23456 or 23.456)")
    return record


def _head_count(value: str) -> int | None:
    if not HEAD_COUNT.fullmatch(value):
        return None
    return int(re.sub(r"[., ]", "", value)) or None


def _header_of(column: str) -> str:
    return next(header for header, name in COLUMNS.items() if name == column)
