"""The self-assessment template a unit fills in, generated from the province's unit catalogs.

One row per component of the unit's catalogs (``components_for``), with the columns
``dti.sources.submissions`` reads; what does not depend on the unit (period, component code and
name) is filled in already, and so are the unit's code and name when the template is made for
one unit. Each row's scoring rule decides the cells the unit writes: "Tử số" and "Mẫu số" for a
ratio, "Giá trị" otherwise; the other figure cells are greyed and locked. Excel itself refuses
what the reader would refuse: counts are whole numbers from 0, the numerator at most the
denominator, a yes/no answer or a categorical component's answer is picked from a list. A second
sheet, "Hướng dẫn", explains in Vietnamese how to fill each kind of row, each component's scoring
rule and unit of measure, the answers of each categorical component with their numbers and
points (the list its drop-down offers), and by when to send the file. The same catalogs give the
reader its ``SubmissionRules``, so a component added to a catalog appears in the template and is
accepted by the reader at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from dti import periods
from dti.catalog.seeds import ComponentOption, load_components, load_tiers, load_units, options_of
from dti.provinces import Province
from dti.scoring_rules import BOOLEAN, CATEGORICAL, COUNT_CAPPED, RATIO, TIERED, YES_PARTIAL_NO
from dti.sources.submission_rules import (
    ANSWERED_RULES,
    COUNTS,
    NOT_APPLICABLE_AT_ZERO,
    VALUE_CHOICES,
    SubmissionRules,
)
from dti.sources.submissions import COLUMNS, HEADERS, SHEET_NAME, header_of
from dti.units_of_measure import unit_of_measure_vi

INSTRUCTIONS_SHEET = "Hướng dẫn"
# The guide's table of the categorical components' answers, which their drop-downs offer.
ANSWERS_HEADING = "Các câu trả lời để chọn"
# Unit type (reporting_units.unit_type) -> the catalog it fills in (unit_components.unit_catalog).
UNIT_TYPE_CATALOG = {"department": "department", "commune": "commune", "ward": "commune"}
# The catalog of province-wide facts the focal-point unit fills in besides its type's.
FOCAL_POINT_CATALOG = "focal_point"
UNIT_TYPE_NAMES = {"department": "Sở, ban, ngành", "commune": "Xã", "ward": "Phường"}
# How the guide names each scoring rule.
RULE_NAMES = {
    RATIO: "Tỷ lệ = Tử số / Mẫu số",
    BOOLEAN: "Có / Không",
    YES_PARTIAL_NO: "Có / Một phần / Không",
    COUNT_CAPPED: "Số lượng, đủ điểm từ mức tối đa",
    TIERED: "Số lượng, tính điểm theo bậc",
    CATEGORICAL: "Chọn một câu trả lời, mỗi câu một mức điểm",
}
# Printed too when the template is made for one unit; left for the unit to write otherwise.
UNIT_IDENTITY = ("unit_code", "unit_name")
COLUMN_WIDTHS = {"unit_code": 12, "unit_name": 30, "period": 12, "component_code": 10, "component_name": 60,
                 "numerator": 12, "denominator": 12, "reported_value": 12, "evidence_document": 30}
# Excel's limit for the message shown when a cell is selected (its title may have 32 characters).
PROMPT_LIMIT = 255
HEADER_FILL = PatternFill("solid", start_color="1F4E78")
NOT_USED_FILL = PatternFill("solid", start_color="D9D9D9")
HEADER_FONT = Font(bold=True, color="FFFFFF")
BOLD = Font(bold=True)
WRAPPED = Alignment(wrap_text=True, vertical="top")
ON_ONE_LINE = Alignment(vertical="top")
LOCKED, UNLOCKED = Protection(locked=True), Protection(locked=False)


def unit_catalogs(unit: dict, focal_point_unit_code: str) -> tuple[str, ...]:
    """The catalogs a unit fills in: its type's, and the focal point's for the focal-point unit."""
    own = UNIT_TYPE_CATALOG[unit["unit_type"]]
    return (own, FOCAL_POINT_CATALOG) if unit.get("unit_code") == focal_point_unit_code else (own,)


def components_for(unit: dict, components: list[dict], focal_point_unit_code: str) -> list[dict]:
    """The components ``unit`` reports (a reporting_units row; without a unit_code, any unit of its type)."""
    return [c for catalog in unit_catalogs(unit, focal_point_unit_code) for c in components
            if c["unit_catalog"] == catalog]


def submission_rules(period: str, province: Province) -> SubmissionRules:
    """What a submission found in the province's inbox of ``period`` is checked against."""
    catalogs: dict[str, dict[str, str]] = defaultdict(dict)
    options: dict[str, dict[str, tuple[ComponentOption, ...]]] = defaultdict(dict)
    not_applicable_at_zero: dict[str, set[str]] = defaultdict(set)
    for component in load_components():
        catalogs[component["unit_catalog"]][component["component_code"]] = component["scoring_rule"]
        if component["scoring_rule"] == CATEGORICAL:
            options[component["unit_catalog"]][component["component_code"]] = options_of(component)
        if component.get("zero_denominator") == NOT_APPLICABLE_AT_ZERO:
            not_applicable_at_zero[component["unit_catalog"]].add(component["component_code"])
    return SubmissionRules(
        period=period,
        unit_catalogs={unit["unit_code"]: unit_catalogs(unit, province.focal_point_unit_code)
                       for unit in load_units(province)},
        catalogs=dict(catalogs),
        options=dict(options),
        not_applicable_at_zero={catalog: frozenset(codes) for catalog, codes in not_applicable_at_zero.items()},
    )


def writes_of(component: dict) -> tuple[str, ...]:
    """The figure cells a unit writes on the component's row; the others are locked."""
    return COUNTS if component["scoring_rule"] == RATIO else ("reported_value",)


def submission_deadline(period: str, province: Province) -> date:
    """The last day to submit for ``period``: the province's dbt var ``dti_submission_due_days``
    after it ends, the same rule the marts use to tell on-time from late submissions."""
    return periods.period_end(period) + timedelta(days=province.submission_due_days)


def build_template(unit_type: str, period: str, province: Province, unit: str | None = None) -> openpyxl.Workbook:
    """The template for every unit of ``unit_type`` ('department', 'commune' or 'ward'), or for the
    one unit whose code is ``unit``; raises ValueError for an unknown type, unit or period.

    The focal-point unit's own template has the focal-point components too; the template for
    every department has only the department catalog's."""
    if unit_type not in UNIT_TYPE_CATALOG:
        raise ValueError(f"unknown unit type {unit_type!r}; use one of {', '.join(UNIT_TYPE_CATALOG)}")
    periods.validate_period(period)
    units = [u for u in load_units(province) if u["unit_type"] == unit_type]
    chosen = None
    if unit is not None:
        chosen = next((u for u in units if u["unit_code"] == unit), None)
        if chosen is None:
            raise ValueError(f"{unit!r} is not a reporting unit of type {unit_type!r}")
    components = components_for(chosen or {"unit_type": unit_type}, load_components(), province.focal_point_unit_code)
    workbook = openpyxl.Workbook()
    form = workbook.active
    form.title = SHEET_NAME
    guide = workbook.create_sheet(INSTRUCTIONS_SHEET)
    lists = _write_guide(guide, unit_type, period, chosen, components, units, submission_deadline(period, province))
    _write_form(form, period, chosen, components, lists)
    return workbook


def template_rows(workbook: openpyxl.Workbook) -> list[dict[str, Cell]]:
    """The form's indicator rows as {raw column name: cell}, to fill a template by column name."""
    form = workbook[SHEET_NAME]
    return [{column: form.cell(row, HEADERS.index(header) + 1) for header, column in COLUMNS.items()}
            for row in range(2, form.max_row + 1)]


@dataclass(frozen=True)
class _GuideLists:
    """Ranges of the guide the form's drop-downs offer."""

    unit_codes: str | None  # the unit codes, when the template is for every unit of a type
    answers: dict[str, str]  # component code -> its answers, for each categorical component


def _write_form(form, period: str, unit: dict | None, components: list[dict], lists: _GuideLists) -> None:
    form.append(HEADERS)
    for cell in form[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAPPED
    for component in components:
        printed = {"unit_code": unit["unit_code"] if unit else None, "unit_name": unit["name_vi"] if unit else None,
                   "period": period, "component_code": component["component_code"],
                   "component_name": component["name_vi"]}
        form.append([printed.get(column) for column in COLUMNS.values()])
    for header, column in COLUMNS.items():
        form.column_dimensions[get_column_letter(HEADERS.index(header) + 1)].width = COLUMN_WIDTHS[column]
    for row, component in zip(template_rows(form.parent), components, strict=True):
        figures = writes_of(component)
        writes = {*figures, "evidence_document", *(() if unit else UNIT_IDENTITY)}
        for column, cell in row.items():
            cell.protection = UNLOCKED if column in writes else LOCKED
            if column in (*COUNTS, "reported_value") and column not in figures:
                cell.fill = NOT_USED_FILL
            # Codes typed into a General cell become numbers or dates (7.1 -> 7 January).
            counted = column in figures and component["scoring_rule"] not in ANSWERED_RULES
            cell.number_format = "#,##0" if counted else "@"
            cell.alignment = WRAPPED if column in ("unit_name", "component_name") else ON_ONE_LINE
    _add_validations(form, components, lists)
    form.freeze_panes = "A2"
    # Locked without a password: a unit cannot rename a header or overwrite a printed cell by
    # accident, and can still resize columns and rows.
    form.protection.sheet = True
    form.protection.formatColumns = False
    form.protection.formatRows = False


def _letter(column: str) -> str:
    return get_column_letter(HEADERS.index(header_of(column)) + 1)


def _add_validations(form, components: list[dict], lists: _GuideLists) -> None:
    numerator, denominator, value = _letter("numerator"), _letter("denominator"), _letter("reported_value")

    def whole_from_zero(cell: str, other: str, comparison: str) -> str:
        return f"AND(ISNUMBER({cell}),{cell}>=0,{cell}=INT({cell}),OR(ISBLANK({other}),{cell}{comparison}{other}))"

    counts = (
        (numerator, denominator, "<=", "numerator",
         "Ghi số nguyên từ 0 trở lên, không lớn hơn Mẫu số; không ghi tỷ lệ phần trăm."),
        (denominator, numerator, ">=", "denominator",
         "Ghi số nguyên từ 0 trở lên, không nhỏ hơn Tử số; không ghi tỷ lệ phần trăm."),
    )

    def add(cell: str, **rule) -> None:
        validation = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=True, **rule)
        validation.add(cell)
        form.add_data_validation(validation)

    # One rule per cell, so that the message shown when the cell is selected speaks of that row's
    # component.
    for row, component in enumerate(components, start=2):
        rule = component["scoring_rule"]
        if rule == RATIO:
            for letter, other, comparison, column, error in counts:
                header = header_of(column)
                add(f"{letter}{row}", type="custom",
                    formula1=whole_from_zero(f"{letter}{row}", f"{other}{row}", comparison),
                    errorTitle=f"{header} không hợp lệ", error=error, promptTitle=f"{header}: đếm gì",
                    prompt=component[f"{column}_definition"][:PROMPT_LIMIT])
        elif rule == CATEGORICAL:
            # Offered from the guide's table: an answer may hold a comma, which would split an
            # inline list, and Excel refuses an inline list longer than 255 characters.
            add(f"{value}{row}", type="list", formula1=lists.answers[component["component_code"]],
                errorTitle="Giá trị không hợp lệ",
                error=f'Chọn một câu trả lời trong danh sách (bảng "{ANSWERS_HEADING}", sheet "{INSTRUCTIONS_SHEET}").',
                promptTitle="Giá trị: chọn câu trả lời",
                prompt=f"{component['name_vi']}: chọn một câu trả lời trong danh sách."[:PROMPT_LIMIT])
        elif rule in VALUE_CHOICES:
            choices = VALUE_CHOICES[rule]
            listed = " hoặc ".join(f'"{choice}"' for choice in choices)
            add(f"{value}{row}", type="list", formula1=f'"{",".join(choices)}"',
                errorTitle="Giá trị không hợp lệ", error=f"Chọn {listed} trong danh sách.",
                promptTitle=f"Giá trị: chọn {'/'.join(choices)}"[:32],
                prompt=f"{component['name_vi']}: chọn {listed}."[:PROMPT_LIMIT])
        else:
            add(f"{value}{row}", type="whole", operator="greaterThanOrEqual", formula1="0",
                errorTitle="Giá trị không hợp lệ", error="Ghi số nguyên từ 0 trở lên.",
                promptTitle="Giá trị: đếm gì",
                prompt=f"{component['numerator_definition']} ({_unit_of_measure(component)})"[:PROMPT_LIMIT])
    if lists.unit_codes:
        unit_code = _letter("unit_code")
        validation = DataValidation(type="list", formula1=lists.unit_codes, allow_blank=False, showErrorMessage=True,
                                    errorTitle="Mã đơn vị không hợp lệ",
                                    error=f'Chọn mã đơn vị trong danh sách ở sheet "{INSTRUCTIONS_SHEET}".')
        validation.add(f"{unit_code}2:{unit_code}{len(components) + 1}")
        form.add_data_validation(validation)


def _unit_of_measure(component: dict) -> str:
    return unit_of_measure_vi(component["unit_of_measure"])


def _valid_values(component: dict) -> str:
    rule = component["scoring_rule"]
    if rule == RATIO:
        return "Tử số, Mẫu số: số nguyên ≥ 0; Tử số ≤ Mẫu số"
    if rule == CATEGORICAL:
        return f'một câu ở bảng "{ANSWERS_HEADING}", hoặc số thứ tự của câu đó'
    if rule in VALUE_CHOICES:
        return " / ".join(f'"{choice}"' for choice in VALUE_CHOICES[rule])
    return "số nguyên ≥ 0"


def _full_points_at(component: dict) -> str:
    """When the component earns its maximum points, as the guide prints it."""
    rule, target = component["scoring_rule"], component["target_value"]
    if rule == RATIO:
        return f"{float(target or 1):.0%}"
    if rule == CATEGORICAL:
        return f'"{max(options_of(component), key=lambda option: option.points_share).vi}"'
    if rule in VALUE_CHOICES:
        return '"Có"'
    if rule == TIERED:
        bands = load_tiers(component["unit_catalog"], component["component_code"])
        return "; ".join(f"từ {low}: {points} điểm" for low, points in bands)
    return f"{int(float(target))} {_unit_of_measure(component)}" if target else ""


def _write_guide(guide, unit_type: str, period: str, unit: dict | None, components: list[dict],
                 units: list[dict], deadline: date) -> _GuideLists:
    """Fill the "Hướng dẫn" sheet; returns the ranges the form's drop-downs offer: the unit codes
    when the template is for every unit of the type, the answers of each categorical component."""
    example = f"{unit['unit_code'] if unit else units[0]['unit_code']}.xlsx"
    categorical = [component for component in components if component["scoring_rule"] == CATEGORICAL]
    guide.append(["Hướng dẫn điền mẫu tự đánh giá Chỉ số chuyển đổi số (DTI)"])
    guide["A1"].font = Font(bold=True, size=14)
    headings = {"Cách điền", "Các chỉ số phải báo cáo", ANSWERS_HEADING, "Danh mục mã đơn vị", "Mã chỉ số",
                "Mã đơn vị"}
    guide.append([])
    guide.append(["Kỳ đánh giá", period])
    guide.append(["Hạn nộp", f"{deadline:%d/%m/%Y}"])
    guide.append(["Loại đơn vị", UNIT_TYPE_NAMES[unit_type]])
    if unit:
        guide.append(["Đơn vị", f"{unit['unit_code']} – {unit['name_vi']}"])
    guide.append([])
    guide.append(["Cách điền"])
    steps = [
        f'Điền số liệu vào sheet "{SHEET_NAME}": mỗi dòng là một chỉ số đơn vị phải báo cáo. Không thêm, xoá, đổi '
        f"tên hay gộp cột, không đổi tên sheet; các ô in sẵn đã được khoá. Ô tô xám là ô không dùng cho chỉ số "
        f"của dòng đó.",
        "Chỉ số tính theo tỷ lệ: ghi \"Tử số\" và \"Mẫu số\" là số lượng: số nguyên từ 0 trở lên, Tử số không lớn "
        "hơn Mẫu số. Không ghi tỷ lệ phần trăm (85%, 0,85): tỷ lệ = Tử số / Mẫu số được tính khi tổng hợp. Chọn "
        "một ô để xem cần đếm gì.",
        "Chỉ số khác: ghi vào cột \"Giá trị\". Chỉ số Có/Không: chọn \"Có\" hoặc \"Không\" trong danh sách của ô; "
        "chỉ số Có/Một phần/Không: chọn \"Có\", \"Một phần\" hoặc \"Không\" (\"Một phần\" được nửa số điểm). Chỉ số "
        "đếm số lượng (số cán bộ, số cuộc họp, số lượt hỗ trợ…): ghi số nguyên từ 0 trở lên, đơn vị tính ở bảng "
        "dưới.",
        *([f'Chỉ số chọn câu trả lời: chọn một câu trong danh sách của ô "Giá trị" (hoặc ghi số thứ tự của câu '
           f'đó); mỗi câu được một tỷ lệ số điểm, xem bảng "{ANSWERS_HEADING}" cuối sheet này.']
          if categorical else []),
        "Ghi số bằng chữ số (50, không ghi \"năm mươi\"). Nếu dùng công thức, mở và lưu tệp bằng Excel trước khi "
        "gửi để tệp lưu kết quả.",
        "\"Văn bản kiểm chứng\": số, ký hiệu văn bản chứng minh số liệu (ví dụ 125/BC-UBND).",
        *([] if unit else ["Ghi \"Mã đơn vị\" và \"Tên đơn vị\" ở mọi dòng; chọn mã trong danh mục cuối sheet này."]),
        f"Lưu dạng Excel (.xlsx), đặt tên tệp theo mã đơn vị (ví dụ {example}) và gửi trước hạn nộp. Có thể gửi tệp "
        f"CSV UTF-8 có đúng các cột của mẫu. Khi cần sửa, gửi lại cả tệp: tệp nhận sau thay cho tệp trước.",
    ]
    for number, step in enumerate(steps, start=1):
        guide.append([number, step])
    guide.append([])
    guide.append(["Các chỉ số phải báo cáo"])
    guide.append(["Mã chỉ số", "Tên chỉ số", "Cách tính điểm", "Ghi vào cột",
                  "Tử số hoặc Giá trị: đếm gì (theo danh mục chỉ số)", "Mẫu số: đếm gì (theo danh mục chỉ số)",
                  "Đơn vị tính", "Giá trị hợp lệ", "Điểm tối đa", "Mức đạt điểm tối đa"])
    for component in components:
        guide.append([component["component_code"], component["name_vi"], RULE_NAMES[component["scoring_rule"]],
                      ", ".join(header_of(column) for column in writes_of(component)),
                      component["numerator_definition"], component["denominator_definition"],
                      _unit_of_measure(component), _valid_values(component), int(float(component["max_points"])),
                      _full_points_at(component)])
    answers = {}
    if categorical:
        guide.append([])
        guide.append([ANSWERS_HEADING])
        guide.append(["Mã chỉ số", "Câu trả lời", "Số thứ tự", "Tỷ lệ số điểm đạt"])
        for component in categorical:
            first = guide.max_row + 1
            for option in options_of(component):
                guide.append([component["component_code"], option.vi, option.order, f"{option.points_share:.0%}"])
            answers[component["component_code"]] = _guide_range("B", first, guide.max_row)
    unit_list = None
    if not unit:
        guide.append([])
        guide.append(["Danh mục mã đơn vị"])
        guide.append(["Mã đơn vị", "Tên đơn vị"])
        first = guide.max_row + 1
        for listed in units:
            guide.append([listed["unit_code"], listed["name_vi"]])
        unit_list = _guide_range("A", first, guide.max_row)
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                cell.alignment = WRAPPED
                if row[0].value in headings:
                    cell.font = BOLD
    for letter, width in zip("ABCDEFGHIJ", (12, 60, 22, 16, 45, 45, 12, 28, 10, 18), strict=True):
        guide.column_dimensions[letter].width = width
    guide.protection.sheet = True
    return _GuideLists(unit_codes=unit_list, answers=answers)


def _guide_range(column: str, first: int, last: int) -> str:
    """Rows ``first`` to ``last`` of one column of the guide, as a drop-down on the form names them."""
    return f"{quote_sheetname(INSTRUCTIONS_SHEET)}!${column}${first}:${column}${last}"
