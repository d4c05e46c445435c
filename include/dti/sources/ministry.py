"""Values of the components the Ministry measures itself (its automated measurement, its surveys).

The Ministry publishes or sends these values; the focal point drops them into the inbox as one
small file a period (``ministry/<period>/<file>``, the period being the folder's, as for every
kind), CSV or XLSX (its first sheet), one row a component:

- "Mã chỉ số" (``component_code``): a component of the period's framework (``dti_components``)
  whose ``value_source`` is ``ministry``; any other code is refused.
- "Giá trị" (``value``): read by the component's scoring rule as the self-assessment reader reads
  a cell: a rate as 0–1 ("0,725") or as a percentage ("72,5%", "72.5%"), yes/no (and "Một phần"
  where the rule has it), or a count from 0. Numbers written as text follow ``parse_number_text``.
- "Văn bản/nguồn" (``source_document``): what the Ministry published or sent, required: it is
  what the value stands on.
- "Ngày công bố" (``published_on``): optional, dd/mm/yyyy or yyyy-mm-dd.

The English names in brackets are accepted as headers too, and other columns (a component's name)
are read past. A bad row is set aside with the file, the row, the column and what to fix, in
Vietnamese and English, as the agencies' files are (``dti.sources.certificates``); a component
given on two rows is set aside on both, since only the sender can say which value is right.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePosixPath

import openpyxl

from dti.catalog.seeds import framework_components, framework_version_of
from dti.scoring_rules import ANSWER_RULES, COUNT_CAPPED, RATIO, TIERED
from dti.catalog.text import parse_number_text
from dti.sources import RejectedRow
from dti.sources.certificates import (
    EXCEL_DAY_NUMBER,
    RowProblems,
    UnreadableAgencyFile,
    decode_agency_text,
    delimited_records,
    file_reason,
)
from dti.sources.submission_rules import VALUE_CHOICES, answer_of
from dti.sources.workbook import csv_delimiter, header_key, workbook_package_problem

SOURCE_NAME = "ministry"
SOURCE_VI, SOURCE_EN = "Số liệu Bộ đánh giá", "Ministry-measured values"
# What the file is, as a reason names it when the sender must send it again.
FORM = ("bảng số liệu do Bộ đánh giá", "a table of Ministry-measured values")
VALUE_SOURCE = "ministry"
# The header as the focal point writes it -> column in raw.ministry_component_values.
COLUMNS = {
    "Mã chỉ số": "component_code",
    "Giá trị": "value",
    "Văn bản/nguồn": "source_document",
    "Ngày công bố": "published_on",
}
HEADERS = list(COLUMNS)
# Every name a header may have: the Vietnamese one, or the column's own.
HEADER_NAMES = (*HEADERS, *COLUMNS.values())
OPTIONAL_COLUMNS = ("published_on",)
# Rules whose value is a number from 0, and those answered yes / (partly /) no.
COUNT_RULES = (COUNT_CAPPED, TIERED)
XLSX_SUFFIX, CSV_SUFFIXES = ".xlsx", (".csv", ".txt")
# The frameworks have a few dozen components; a sheet this long is not a table of the Ministry's values.
MAX_DATA_ROWS = 1000
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")


@dataclass(frozen=True)
class MinistryRules:
    """What a file of the Ministry's values is checked against: the period of the inbox it arrived
    in and that period's framework."""

    period: str
    framework_version: str | None  # None when no framework covers the period's year
    components: Mapping[str, dict]  # component code -> its dti_components row, every source's

    def measured_by_ministry(self) -> list[dict]:
        """The framework's components whose value the Ministry gives, in catalog order."""
        return [component for component in self.components.values() if component["value_source"] == VALUE_SOURCE]


@dataclass
class MinistryFile:
    rows: list[dict] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


def ministry_rules(period: str) -> MinistryRules:
    """The rules of ``period``, from the catalog seeds as they are now (an imported appendix's
    components included)."""
    version = framework_version_of(int(period[:4]))
    return MinistryRules(period=period, framework_version=version, components=framework_components(version))


def read_ministry_file(content: bytes, file_name: str, max_bytes: int, rules: MinistryRules) -> MinistryFile:
    """Read the file's rows against ``rules``; raise UnreadableAgencyFile when no row of it can be trusted."""
    suffix = PurePosixPath(file_name).suffix.lower()
    if suffix == XLSX_SUFFIX:
        header, records = _workbook_records(content, file_name, max_bytes)
    elif suffix in CSV_SUFFIXES:
        text, _encoding = decode_agency_text(content, file_name, max_bytes)
        header, records = delimited_records(text, csv_delimiter(text.partition("\n")[0], HEADER_NAMES), file_name)
    else:
        raise _unreadable(file_name, f"định dạng {suffix or '(không có đuôi tệp)'} không được nhận; gửi tệp .xlsx hoặc "
                                     f".csv (UTF-8)",
                          f"{suffix or '(no extension)'} files are not accepted; send an .xlsx or a .csv (UTF-8) file")
    position = _column_positions(header, file_name)
    result = MinistryFile()
    problems_of_row: dict[int, RowProblems] = {}
    records_of_row: dict[int, dict] = {}
    rows_of_component: dict[str, list[int]] = defaultdict(list)
    for row_number, cells in records:
        problems = problems_of_row[row_number] = RowProblems(SOURCE_VI, SOURCE_EN, file_name, row_number)
        if problems.check_width(cells, header):
            record = records_of_row[row_number] = _parse_row(cells, position, rules, problems)
            if record["component_code"]:
                rows_of_component[record["component_code"]].append(row_number)
    if not problems_of_row:
        raise _unreadable(file_name, "chỉ có dòng tiêu đề, không có dòng chỉ số nào",
                          "only a header row, no component row")
    for code, row_numbers in rows_of_component.items():
        if len(row_numbers) > 1:
            listed = ", ".join(map(str, row_numbers))
            for row_number in row_numbers:
                problems_of_row[row_number].add(
                    position["component_code"][1], code,
                    f"chỉ số {code} có ở nhiều dòng ({listed}); giữ lại một dòng đúng rồi gửi lại tệp",
                    f"component {code} is on several rows ({listed}); keep the one correct row and send the file again")
    for row_number, problems in problems_of_row.items():
        if problems.items:
            result.rejected.extend(problems.items)
        else:
            result.rows.append({**records_of_row[row_number], "period": rules.period, "_row_number": row_number})
    return result


# --- the file's header and rows ----------------------------------------------------------------------


def _unreadable(file_name: str, vi: str, en: str) -> UnreadableAgencyFile:
    return UnreadableAgencyFile(file_reason(file_name, vi, en, source=SOURCE_VI))


def _workbook_records(content: bytes, file_name: str, max_bytes: int) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """The first sheet's header row, and its non-blank rows after it as (row number, cells as typed)."""
    if len(content) > max_bytes:
        raise _unreadable(file_name, f"{len(content)} byte vượt giới hạn {max_bytes} byte; chỉ gửi bảng số liệu, "
                                     f"không kèm ảnh hay tệp khác",
                          f"{len(content)} bytes is over the {max_bytes}-byte limit; send the table of values only, "
                          f"without pictures or attachments")
    problem = workbook_package_problem(content, FORM)
    if problem:
        raise _unreadable(file_name, *problem)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # The size a file declares may be wrong (other tools write it); count the rows actually there.
            sheet.reset_dimensions()
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_DATA_ROWS + 1:
                    raise _unreadable(file_name, f"sheet có hơn {MAX_DATA_ROWS} dòng; mỗi chỉ số chỉ một dòng",
                                      f"the sheet has more than {MAX_DATA_ROWS} rows; one row a component")
        finally:
            workbook.close()
    except UnreadableAgencyFile:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged package
        raise _unreadable(file_name, f"không mở được bảng tính ({type(error).__name__}); mở tệp bằng Excel, lưu lại "
                                     f"dạng .xlsx rồi gửi lại",
                          f"the workbook cannot be opened ({type(error).__name__}: {error}); open it in Excel, save "
                          f"it again as .xlsx and resend it") from error
    header = [_shown(cell) for cell in rows[0]] if rows else []
    # A workbook row ends at its last filled cell; a cell beyond the header has no column to be read as.
    width = len(header)
    records = ((number, [*cells[:width], *[None] * (width - len(cells))])
               for number, cells in enumerate(rows[1:], start=2) if any(_shown(cell) for cell in cells[:width]))
    return header, records


def _column_positions(header: list[str], file_name: str) -> dict[str, tuple[int, str]]:
    """Column -> (index in the row, the header as the file writes it); refuses a header lacking a
    required column, or naming one twice."""
    by_key = {header_key(name): column for name, column in (*COLUMNS.items(), *((c, c) for c in COLUMNS.values()))}
    position: dict[str, tuple[int, str]] = {}
    for index, text in enumerate(header):
        column = by_key.get(header_key(text))
        if column is None:
            continue
        if column in position:
            raise _unreadable(file_name, f"cột '{text}' xuất hiện hai lần ('{position[column][1]}'); xoá cột thừa",
                              f"column '{text}' appears twice ('{position[column][1]}'); delete the extra one")
        position[column] = (index, text)
    missing = [name for name, column in COLUMNS.items() if column not in position and column not in OPTIONAL_COLUMNS]
    if missing:
        listed = ", ".join(f"'{name}'" for name in missing)
        layout = ", ".join(HEADERS)
        raise _unreadable(file_name, f"dòng tiêu đề thiếu cột {listed}; dùng các cột {layout}",
                          f"the header row lacks column {listed}; use the columns {layout}")
    return position


def _parse_row(cells: list, position: dict[str, tuple[int, str]], rules: MinistryRules, problems: RowProblems) -> dict:
    raw = {column: cells[index] for column, (index, _) in position.items()}
    raw.setdefault("published_on", None)

    def reject(column: str, vi: str, en: str) -> None:
        problems.add(position[column][1], _shown(raw[column]) or None, vi, en)

    record = {"component_code": None, "value": None, "value_as_written": _shown(raw["value"]) or None,
              "source_document": _shown(raw["source_document"]) or None, "published_on": None}
    component, problem = _component(raw["component_code"], rules)
    if problem:
        reject("component_code", *problem)
    else:
        record["component_code"] = component["component_code"]
        record["value"], problem = _value(raw["value"], component["scoring_rule"])
        if problem:
            reject("value", *problem)
    if not record["source_document"]:
        reject("source_document",
               "chưa ghi văn bản hoặc nguồn Bộ công bố, gửi số liệu (số, ngày văn bản hoặc trang công bố)",
               "the document or source the Ministry published or sent the value in is missing (its number and "
               "date, or the page it was published on)")
    if _shown(raw["published_on"]):
        record["published_on"], problem = _date(raw["published_on"])
        if problem:
            reject("published_on", *problem)
    return record


# --- one cell ------------------------------------------------------------------------------------


def _shown(cell: object) -> str:
    """The cell as the sender sees it: text without surrounding spaces, 3 and not 3.0."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return unicodedata.normalize("NFC", str(cell)).strip()


def _component(cell: object, rules: MinistryRules) -> tuple[dict | None, tuple[str, str] | None]:
    """The catalog row of the component the cell names, or (vi, en) of why it cannot be given here."""
    code = _shown(cell)
    if not code:
        return None, ("chưa ghi mã chỉ số", "the component code is missing")
    framework = rules.framework_version
    if framework is None:
        return None, (f"không có bộ chỉ số nào áp dụng cho năm của kỳ {rules.period}",
                      f"no framework is in force in the year of period {rules.period}")
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        # Excel turns a code typed as 7.6 into a number, and 7.10 into 7.1: only an unambiguous one is read.
        readings = [known for known in rules.components if _as_number(known) == Decimal(str(cell))]
        if len(readings) > 1:
            listed = ", ".join(readings)
            return None, (f"Excel đã đổi mã chỉ số thành số {code}, có thể là {listed}; định dạng ô là \"Text\" "
                          f"(Văn bản) rồi ghi lại mã",
                          f"Excel turned the component code into the number {code}, which may be {listed}; format "
                          f"the cell as \"Text\" and type the code again")
        code = readings[0] if readings else code
    component = rules.components.get(code)
    ministry_codes = ", ".join(c["component_code"] for c in rules.measured_by_ministry())
    if component is None:
        return None, (f"mã chỉ số '{code}' không có trong bộ chỉ số {framework} của kỳ {rules.period}; các chỉ số do "
                      f"Bộ đánh giá: {ministry_codes or 'không có'}",
                      f"component code '{code}' is not in framework {framework} of period {rules.period}; the "
                      f"components the Ministry measures: {ministry_codes or 'none'}")
    if component["value_source"] != VALUE_SOURCE:
        return None, (f"chỉ số {code} không do Bộ đánh giá (nguồn số liệu: {component['value_source']}); xoá dòng "
                      f"này; các chỉ số do Bộ đánh giá: {ministry_codes or 'không có'}",
                      f"component {code} is not measured by the Ministry (its values come from "
                      f"{component['value_source']}); delete this row; the components the Ministry measures: "
                      f"{ministry_codes or 'none'}")
    return component, None


def _as_number(code: str) -> Decimal | None:
    return Decimal(code) if re.fullmatch(r"[0-9]+(\.[0-9]+)?", code) else None


def _value(cell: object, rule: str) -> tuple[Decimal | None, tuple[str, str] | None]:
    """The cell read by the component's scoring rule, or (vi, en) of why it cannot be."""
    shown = _shown(cell)
    if not shown:
        return None, ("chưa ghi giá trị", "the value is missing")
    if rule == RATIO:
        return _rate(cell, shown)
    if rule in ANSWER_RULES:
        # 1, 0 and TRUE / FALSE typed in Excel are answers too: their text is among the rule's words.
        answer = answer_of(shown, rule)
        if answer is not None:
            return answer, None
        listed = ", ".join(f'"{choice}"' for choice in VALUE_CHOICES[rule])
        return None, (f'phải là một trong {listed}, đang ghi "{shown}"', f'must be one of {listed}, found "{shown}"')
    if rule in COUNT_RULES:
        number, percent = _number(cell, shown)
        if number is None or percent or number < 0:
            return None, (f'phải là một số từ 0 trở lên (không phải tỷ lệ phần trăm), đang ghi "{shown}"',
                          f'must be a number from 0 (not a percentage), found "{shown}"')
        return number, None
    return None, (f"quy tắc tính điểm '{rule}' của chỉ số này chưa đọc được từ tệp số liệu của Bộ; báo cho bộ phận "
                  f"kỹ thuật",
                  f"this component's scoring rule '{rule}' cannot be read from a file of the Ministry's values yet; "
                  f"tell the data engineers")


def _rate(cell: object, shown: str) -> tuple[Decimal | None, tuple[str, str] | None]:
    """A rate from 0 to 1, written as one (0,725) or as a percentage (72,5%)."""
    number, percent = _number(cell, shown)
    if number is None:
        return None, (f'"{shown}" không phải số; ghi tỷ lệ dạng 72,5% hoặc 0,725',
                      f'"{shown}" is not a number; write the rate as 72.5% or 0.725')
    rate = number / 100 if percent else number
    if 0 <= rate <= 1:
        return rate, None
    hint_vi = hint_en = ""
    if not percent and 1 < number <= 100:
        hint_vi, hint_en = f'; nếu là {shown}% thì ghi "{shown}%"', f'; if it is {shown}%, write "{shown}%"'
    return None, (f'tỷ lệ phải từ 0 đến 1 (0% đến 100%), đang ghi "{shown}"{hint_vi}',
                  f'a rate lies between 0 and 1 (0% and 100%), found "{shown}"{hint_en}')


def _number(cell: object, shown: str) -> tuple[Decimal | None, bool]:
    """(the number, whether it was written as a percentage); None when the cell holds no number."""
    if isinstance(cell, (bool, datetime, date, time)):
        return None, False
    if isinstance(cell, (int, float)):
        return Decimal(str(cell)), False
    percent = shown.endswith("%")
    return parse_number_text(shown.removesuffix("%").strip()), percent


def _date(cell: object) -> tuple[date | None, tuple[str, str] | None]:
    if isinstance(cell, datetime):
        return cell.date(), None
    if isinstance(cell, date):
        return cell, None
    shown = _shown(cell)
    for date_format in DATE_FORMATS:
        try:
            return datetime.strptime(shown, date_format).date(), None
        except ValueError:
            continue
    if EXCEL_DAY_NUMBER.fullmatch(shown):
        return None, (f"'{shown}' là số ngày kiểu Excel, không phải ngày; ghi ngày dạng dd/mm/yyyy (ví dụ 30/09/2026)",
                      f"'{shown}' is an Excel day number, not a date; write the date as dd/mm/yyyy (e.g. 30/09/2026)")
    return None, (f"'{shown}' không phải ngày hợp lệ dạng dd/mm/yyyy (ví dụ 30/09/2026); ô này có thể để trống",
                  f"'{shown}' is not a valid date as dd/mm/yyyy (e.g. 30/09/2026); the cell may be left empty")
