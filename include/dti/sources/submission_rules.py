"""The rules a self-assessment row is checked by, and the check of each row.

Each row is one component of the unit's own catalog (``SubmissionRules``), and the component's
scoring rule says which cells carry its figure:

- ``ratio``: "Tử số" and "Mẫu số" are counts, whole numbers from 0, and the rate is computed from
  them. A percentage is refused in every form a unit writes it: "85%" typed, 0.85 in a cell
  formatted as a percentage, and a bare 0.85 (not a whole number; the reason suggests it may be
  the rate 85%). A bare 85 is a count of 85. "Giá trị" is not read on a ratio row (the template
  locks it): the rate is the counts' to give, so a value there can neither contradict nor replace
  them. A "Mẫu số" of 0 gives no rate: the row is set aside, telling the unit what to count, unless
  the catalog marks the component not applicable when there is nothing to count
  (``unit_components.zero_denominator``); then 0 / 0 is accepted as written.
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
is 12.5 (and so refused as no whole count), "1.234" is 1234. Every problem comes back as the
column it is in and what to fix, in Vietnamese and English.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dti import periods
from dti.catalog.seeds import ComponentOption
from dti.scoring_rules import BOOLEAN, CATEGORICAL, COUNT_CAPPED, RATIO, TIERED, YES_PARTIAL_NO
from dti.catalog.text import parse_number_text
from dti.sources.workbook import Cell, header_key, is_blank, plain_text

REQUIRED_TEXT = ("unit_code", "period", "component_code")
# A ratio's figures are two counts; the rate is numerator / denominator.
COUNTS = ("numerator", "denominator")
# unit_components.zero_denominator of a ratio that does not apply to a unit with nothing to count.
NOT_APPLICABLE_AT_ZERO = "not_applicable"
# Scoring rule (unit_components.scoring_rule), but a ratio's or a categorical one's -> how "Giá trị" is
# read: the answers it accepts (key: the answer without diacritics or case -> its value), or None for
# a whole count from 0. A categorical component's answers are the catalog's own (ComponentOption).
YES, PARTLY, NO = Decimal(1), Decimal("0.5"), Decimal(0)
_YES_WORDS = {"co": YES, "yes": YES, "y": YES, "true": YES, "1": YES}
_NO_WORDS = {"khong": NO, "no": NO, "n": NO, "false": NO, "0": NO}
_PARTLY_WORDS = {"mot phan": PARTLY, "partly": PARTLY, "partial": PARTLY, "0.5": PARTLY, "0,5": PARTLY}
VALUE_ANSWERS: dict[str, dict[str, Decimal] | None] = {
    BOOLEAN: {**_YES_WORDS, **_NO_WORDS},
    YES_PARTIAL_NO: {**_YES_WORDS, **_PARTLY_WORDS, **_NO_WORDS},
    COUNT_CAPPED: None,
    TIERED: None,
}
# What a unit writes in "Giá trị" for each answer rule, as the template's drop-down and the reasons show it.
VALUE_CHOICES = {BOOLEAN: ("Có", "Không"), YES_PARTIAL_NO: ("Có", "Một phần", "Không")}
# The rules whose "Giá trị" is an answer picked from the cell's list rather than a count.
ANSWERED_RULES = (*VALUE_CHOICES, CATEGORICAL)
# The unit catalogs (unit_components.unit_catalog) as a reason names who fills them in: (vi, en).
CATALOG_NAMES = {
    "department": ("sở, ban, ngành", "departments"),
    "commune": ("xã, phường", "communes and wards"),
    "focal_point": ("đơn vị đầu mối", "the focal-point unit"),
}


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
    # catalog -> the ratios it marks not applicable when their denominator is 0 (NOT_APPLICABLE_AT_ZERO)
    not_applicable_at_zero: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def components_of(self, unit_code: str) -> dict[str, str]:
        """The unit's components: component code -> scoring rule."""
        return {code: rule for catalog in self.unit_catalogs[unit_code]
                for code, rule in self.catalogs[catalog].items()}

    def catalogs_holding(self, component_code: str) -> list[str]:
        return [catalog for catalog, components in self.catalogs.items() if component_code in components]

    def options_of(self, unit_code: str | None, component_code: str) -> tuple[ComponentOption, ...]:
        """The answers the unit picks from for a categorical component; for a unit not known, those of
        the first catalog holding the component, the catalog its scoring rule is taken from too."""
        catalogs = self.unit_catalogs[unit_code] if unit_code else self.catalogs_holding(component_code)
        return next((self.options[catalog][component_code] for catalog in catalogs
                     if component_code in self.options.get(catalog, {})), ())

    def applies_at_zero(self, unit_code: str | None, component_code: str) -> bool:
        """Whether a ratio still applies to a unit with nothing to count (0 / 0 is then no rate);
        for a unit not known, as the first catalog holding the component says."""
        catalogs = self.unit_catalogs[unit_code] if unit_code else self.catalogs_holding(component_code)
        holding = next((catalog for catalog in catalogs if component_code in self.catalogs.get(catalog, {})), None)
        return component_code not in self.not_applicable_at_zero.get(holding, frozenset())


@dataclass(frozen=True)
class RowProblem:
    """Why one cell of a row keeps the row from being used, and what to fix, in both languages."""

    row: int
    column: str
    raw_value: str | None
    vi: str
    en: str


class RowChecker:
    """Checks one row's cells against the rules; the unit is the file's, whose catalogs say which
    components it reports and by which rule each is scored."""

    def __init__(self, rules: SubmissionRules, unit_code: str | None, has_value_column: bool):
        self.rules = rules
        self.unit_code = unit_code
        self.unit_components = rules.components_of(unit_code) if unit_code else None
        self.has_value_column = has_value_column

    def check(self, cells: dict[str, Cell], number: int) -> tuple[dict, list[RowProblem]]:
        """The row's record and its problems; ``cells`` holds a cell for every raw column."""
        problems: list[RowProblem] = []

        def problem(column: str, vi: str, en: str) -> None:
            problems.append(RowProblem(number, column, _shown(cells[column]), vi, en))

        record: dict = {"_row_number": number}
        for column in ("unit_name", "component_name", "evidence_document"):
            record[column] = plain_text(cells[column]) or None
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
            written = periods.parse_period(record["period"], periods.granularity_of(self.rules.period))
            if written == self.rules.period:
                record["period"] = self.rules.period
            else:
                problem("period", *_period_problem(self.rules.period, record["period"], written))
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
            if denominator == 0 and self.rules.applies_at_zero(self.unit_code, record["component_code"]):
                problem("denominator", *_ZERO_DENOMINATOR)
            elif numerator is not None and denominator is not None and numerator > denominator:
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
               cells: dict[str, Cell]) -> tuple[Decimal | None, tuple[str, str] | None]:
        """The row's "Giá trị" read by its rule (a categorical component's by its ``options``), or (vi, en)
        of why it cannot be."""
        cell = cells["reported_value"]
        vi, en = _what_to_write(rule, options)
        if not self.has_value_column:
            return None, (f'tệp không có cột "Giá trị" (mẫu cũ) mà chỉ số này cần; tải mẫu của kỳ này và ghi {vi} '
                          f"vào cột đó",
                          f'the file has no "Giá trị" column (an older template) and this indicator needs it; '
                          f"download this period's template and write {en} in that column")
        if is_blank(cell):
            hint_vi = hint_en = ""
            if any(not is_blank(cells[column]) for column in COUNTS):
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
        return None, (f'phải là {vi}, đang ghi "{plain_text(cell)}"; chọn trong danh sách của ô',
                      f'must be {en}, found "{plain_text(cell)}"; pick it from the cell\'s list')


def _period_problem(period: str, shown: str, written: str | None) -> tuple[str, str]:
    """(vi, en) for a row whose "Kỳ đánh giá" reads as another period (``written``) or as none."""
    vi = f'phải là kỳ {period} (kỳ của hộp thư nhận tệp), đang ghi "{shown}"'
    en = f'must be {period} (the period of the inbox the file arrived in), found "{shown}"'
    if written is not None:
        return (f"{vi}; số liệu kỳ khác nộp vào kỳ đó",
                f"{en}; send another period's figures to that period")
    in_words = periods.period_in_words_vi(period)
    return (f'{vi}, không đọc được là kỳ nào; ghi "{period}" hoặc "{in_words}"',
            f'{en}, which reads as no period; write "{period}" or "{in_words}"')


def duplicate_rows(rows_of_component: dict[str, list[int]], records: dict[int, dict]) -> list[RowProblem]:
    """Every row of a component written more than once: which value is right only the unit can say."""
    problems = []
    for code, numbers in rows_of_component.items():
        if len(numbers) > 1:
            listed = ", ".join(map(str, numbers))
            problems.extend(
                RowProblem(number, "component_code", records[number]["component_code"],
                           f"chỉ số {code} được khai ở nhiều dòng ({listed}); giữ lại một dòng đúng rồi gửi lại",
                           f"indicator {code} appears on several rows ({listed}); keep the one correct row and send "
                           f"the file again")
                for number in numbers)
    return problems


def answer_of(text: str, rule: str) -> Decimal | None:
    """What ``text`` answers for a yes/no (or yes/partly/no) ``rule``, read as "Giá trị" is: 1, 0.5 or
    0; None when it is no answer of that rule."""
    return (VALUE_ANSWERS.get(rule) or {}).get(_folded(text))


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


def _answer(cell: Cell, answers: dict[str, Decimal]) -> Decimal | None:
    """A yes / (partly /) no answer, read as 1 / (0.5 /) 0; None when the cell holds none of them."""
    value = cell.value
    if isinstance(value, bool):  # TRUE / FALSE typed in Excel
        value = int(value)
    if isinstance(value, (int, float)) and Decimal(str(value)) in answers.values():
        return next(answer for answer in answers.values() if answer == Decimal(str(value)))
    return answers.get(_folded(plain_text(cell)))


def _option(cell: Cell, options: tuple[ComponentOption, ...]) -> Decimal | None:
    """A categorical answer, written as the catalog lists it (case and spacing aside, diacritics kept:
    they tell answers apart) or as its number, read as the share of the points it earns; None when
    the cell holds none of them."""
    written = header_key(plain_text(cell))
    return next((option.points_share for option in options
                 if written in (header_key(option.vi), str(option.order))), None)


def _folded(text: str) -> str:
    """``text`` without diacritics, case or extra spaces: "Một  phần" -> "mot phan", "KHÔNG" -> "khong"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).casefold().split())


# --- one cell ----------------------------------------------------------------------------------


_FORMULA = ("ô chứa công thức, không phải giá trị ({formula}); mở tệp bằng Excel để Excel tính rồi lưu lại, hoặc ghi "
            "thẳng giá trị",
            "the cell holds a formula, not a value ({formula}); open the file in Excel so that it is calculated and "
            "save it again, or type the value")
_ZERO_DENOMINATOR = (
    "Mẫu số bằng 0 nên không tính được tỷ lệ; ghi vào Mẫu số số trường hợp cần đếm trong kỳ (từ 1 trở lên) và vào "
    "Tử số số trường hợp đã đạt; nếu trong kỳ đơn vị thực sự không có trường hợp nào, báo cho đơn vị đầu mối",
    "Mẫu số is 0, so no rate can be computed; write in Mẫu số how many cases the period had to count (1 or more) "
    "and in Tử số how many of them met the indicator; if the unit truly had none in the period, tell the "
    "focal-point unit")
_DATE = ('Excel đã đổi ô này thành ngày {day:%d/%m/%Y}; định dạng ô là "Text" (Văn bản) rồi ghi lại',
         'Excel turned this cell into the date {day:%Y-%m-%d}; format the cell as "Text" and type it again')


def _shown(cell: Cell) -> str | None:
    """The cell as the unit sees it, for the rejected row's raw value."""
    return cell.formula or (plain_text(cell) or None)


def _required_text(cell: Cell) -> tuple[str | None, tuple[str, str] | None]:
    if cell.formula:
        return None, (_FORMULA[0].format(formula=cell.formula), _FORMULA[1].format(formula=cell.formula))
    if isinstance(cell.value, (datetime, date)):
        return None, (_DATE[0].format(day=cell.value), _DATE[1].format(day=cell.value))
    text = plain_text(cell)
    if not text:
        return None, ("chưa nhập; ô này không được để trống", "is empty; this cell must be filled in")
    return text, None


def _count(cell: Cell, counts_of_rate: bool = True) -> tuple[Decimal | None, tuple[str, str] | None]:
    """A whole non-negative count, or (vi, en) of why the cell is not one.

    ``counts_of_rate``: the cell is a ratio's "Tử số" or "Mẫu số", so a rate written there is
    explained as such; "Giá trị" of a count is a count of its own.
    """
    value = cell.value
    if cell.formula or (isinstance(value, str) and value.strip().startswith("=")):
        formula = cell.formula or value.strip()
        return None, (_FORMULA[0].format(formula=formula), _FORMULA[1].format(formula=formula))
    if is_blank(cell):
        return None, ("chưa nhập; ghi số lượng bằng chữ số (0 nếu không có), không ghi tỷ lệ",
                      "is empty; write the count in digits (0 if there is none), not a rate")
    if isinstance(value, (datetime, date)):
        return None, (_DATE[0].format(day=value), _DATE[1].format(day=value))
    if isinstance(value, (time, timedelta, bool)):
        return None, (f'phải là số không âm, đang ghi "{value}"', f'must be a non-negative number, found "{value}"')
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
        shown = plain_text(cell)
        if "%" in cell.number_format:
            return None, _percent_problem(f"{_plain(number * 100)}%", counts_of_rate)
    else:
        shown = plain_text(cell)
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
