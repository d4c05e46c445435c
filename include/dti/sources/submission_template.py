"""The self-assessment template a reporting unit fills in, generated from the catalog seeds.

One row per component the unit type reports, with the columns ``dti.sources.submissions`` reads;
what does not depend on the unit (period, component code and name) is filled in already, and so
are the unit's code and name when the template is made for one unit. Excel itself refuses what
the reader would refuse: counts are whole numbers from 0, the numerator at most the denominator.
A second sheet, "Hướng dẫn", explains in Vietnamese what to count for each component and by when
to send the file. The same catalog gives the reader its ``SubmissionRules``, so a component added
to the catalog appears in the template and is accepted by the reader at once.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import cache

import openpyxl
import yaml
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from dti import periods, settings
from dti.sources.submissions import COLUMNS, HEADERS, SHEET_NAME, SubmissionRules, header_of, scope_covers

INSTRUCTIONS_SHEET = "Hướng dẫn"
# Unit type (reporting_units.unit_type) -> the components it reports (dti_components.reported_by).
UNIT_TYPE_SCOPE = {"department": "department", "commune": "commune", "ward": "commune"}
UNIT_TYPE_NAMES = {"department": "Sở, ban, ngành", "commune": "Xã", "ward": "Phường"}
# Columns the unit writes; the others are printed in the template.
UNIT_WRITES = ("numerator", "denominator", "evidence_document")
# Printed too when the template is made for one unit; left for the unit to write otherwise.
UNIT_IDENTITY = ("unit_code", "unit_name")
COLUMN_WIDTHS = {"unit_code": 12, "unit_name": 30, "period": 12, "component_code": 10, "component_name": 60,
                 "numerator": 12, "denominator": 12, "evidence_document": 30}
# Excel's limit for the message shown when a cell is selected (its title may have 32 characters).
PROMPT_LIMIT = 255
HEADER_FILL = PatternFill("solid", start_color="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
BOLD = Font(bold=True)
WRAPPED = Alignment(wrap_text=True, vertical="top")
ON_ONE_LINE = Alignment(vertical="top")
LOCKED, UNLOCKED = Protection(locked=True), Protection(locked=False)


@cache
def _dbt_vars() -> dict:
    with (settings.DBT_PROJECT_DIR / "dbt_project.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["vars"]


def load_units() -> list[dict]:
    with settings.REPORTING_UNITS_SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_components() -> list[dict]:
    """The components of the framework version in force (the dbt var ``dti_framework_version``)."""
    version = str(_dbt_vars()["dti_framework_version"])
    with settings.COMPONENTS_SEED.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["framework_version"] == version]


def components_for(unit: dict, components: list[dict]) -> list[dict]:
    scope = UNIT_TYPE_SCOPE[unit["unit_type"]]
    return [c for c in components if scope_covers(c["reported_by"], scope)]


def submission_rules(period: str) -> SubmissionRules:
    """What a submission found in the inbox of ``period`` is checked against."""
    return SubmissionRules(
        period=period,
        unit_scopes={unit["unit_code"]: UNIT_TYPE_SCOPE[unit["unit_type"]] for unit in load_units()},
        component_scopes={c["component_code"]: c["reported_by"] for c in load_components()},
    )


def submission_deadline(period: str) -> date:
    """The last day to submit for ``period``: the dbt var ``dti_submission_due_days`` after it ends,
    the same rule the marts use to tell on-time from late submissions."""
    return periods.period_end(period) + timedelta(days=int(_dbt_vars()["dti_submission_due_days"]))


def build_template(unit_type: str, period: str, unit: str | None = None) -> openpyxl.Workbook:
    """The template for every unit of ``unit_type`` ('department', 'commune' or 'ward'), or for the
    one unit whose code is ``unit``; raises ValueError for an unknown type, unit or period."""
    if unit_type not in UNIT_TYPE_SCOPE:
        raise ValueError(f"unknown unit type {unit_type!r}; use one of {', '.join(UNIT_TYPE_SCOPE)}")
    periods.validate_period(period)
    units = [u for u in load_units() if u["unit_type"] == unit_type]
    chosen = None
    if unit is not None:
        chosen = next((u for u in units if u["unit_code"] == unit), None)
        if chosen is None:
            raise ValueError(f"{unit!r} is not a reporting unit of type {unit_type!r}")
    components = components_for({"unit_type": unit_type}, load_components())
    workbook = openpyxl.Workbook()
    form = workbook.active
    form.title = SHEET_NAME
    guide = workbook.create_sheet(INSTRUCTIONS_SHEET)
    unit_list = _write_guide(guide, unit_type, period, chosen, components, units)
    _write_form(form, period, chosen, components, unit_list)
    return workbook


def template_rows(workbook: openpyxl.Workbook) -> list[dict[str, Cell]]:
    """The form's indicator rows as {raw column name: cell}, to fill a template by column name."""
    form = workbook[SHEET_NAME]
    return [{column: form.cell(row, HEADERS.index(header) + 1) for header, column in COLUMNS.items()}
            for row in range(2, form.max_row + 1)]


def _write_form(form, period: str, unit: dict | None, components: list[dict], unit_list: str | None) -> None:
    writes = UNIT_WRITES if unit else (*UNIT_IDENTITY, *UNIT_WRITES)
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
    for row in template_rows(form.parent):
        for column, cell in row.items():
            cell.protection = UNLOCKED if column in writes else LOCKED
            # Codes typed into a General cell become numbers or dates (7.1 -> 7 January).
            cell.number_format = "#,##0" if column in ("numerator", "denominator") else "@"
            cell.alignment = WRAPPED if column in ("unit_name", "component_name") else ON_ONE_LINE
    _add_validations(form, components, unit_list)
    form.freeze_panes = "A2"
    # Locked without a password: a unit cannot rename a header or overwrite a printed cell by
    # accident, and can still resize columns and rows.
    form.protection.sheet = True
    form.protection.formatColumns = False
    form.protection.formatRows = False


def _add_validations(form, components: list[dict], unit_list: str | None) -> None:
    numerator = get_column_letter(HEADERS.index(header_of("numerator")) + 1)
    denominator = get_column_letter(HEADERS.index(header_of("denominator")) + 1)

    def whole_from_zero(cell: str, other: str, comparison: str) -> str:
        return f"AND(ISNUMBER({cell}),{cell}>=0,{cell}=INT({cell}),OR(ISBLANK({other}),{cell}{comparison}{other}))"

    counts = (
        (numerator, denominator, "<=", "numerator",
         "Ghi số nguyên từ 0 trở lên, không lớn hơn Mẫu số; không ghi tỷ lệ phần trăm."),
        (denominator, numerator, ">=", "denominator",
         "Ghi số nguyên từ 0 trở lên, không nhỏ hơn Tử số; không ghi tỷ lệ phần trăm."),
    )
    for letter, other, comparison, column, error in counts:
        header = header_of(column)
        # One rule per cell, so that the message shown when the cell is selected says what to
        # count for that row's component.
        for row, component in enumerate(components, start=2):
            validation = DataValidation(
                type="custom", formula1=whole_from_zero(f"{letter}{row}", f"{other}{row}", comparison),
                allow_blank=True, showErrorMessage=True, errorTitle=f"{header} không hợp lệ", error=error,
                showInputMessage=True, promptTitle=f"{header}: đếm gì",
                prompt=component[f"{column}_definition"][:PROMPT_LIMIT])
            validation.add(f"{letter}{row}")
            form.add_data_validation(validation)
    if unit_list:
        unit_code = get_column_letter(HEADERS.index(header_of("unit_code")) + 1)
        validation = DataValidation(type="list", formula1=unit_list, allow_blank=False, showErrorMessage=True,
                                    errorTitle="Mã đơn vị không hợp lệ",
                                    error=f'Chọn mã đơn vị trong danh sách ở sheet "{INSTRUCTIONS_SHEET}".')
        validation.add(f"{unit_code}2:{unit_code}{len(components) + 1}")
        form.add_data_validation(validation)


def _write_guide(guide, unit_type: str, period: str, unit: dict | None, components: list[dict],
                 units: list[dict]) -> str | None:
    """Fill the "Hướng dẫn" sheet; returns the range listing the unit codes when the template is
    for every unit of the type, for the form's drop-down."""
    example = f"{unit['unit_code'] if unit else units[0]['unit_code']}.xlsx"
    guide.append(["Hướng dẫn điền mẫu tự đánh giá Chỉ số chuyển đổi số (DTI)"])
    guide["A1"].font = Font(bold=True, size=14)
    headings = {"Cách điền", "Các chỉ số phải báo cáo", "Danh mục mã đơn vị", "Mã chỉ số", "Mã đơn vị"}
    guide.append([])
    guide.append(["Kỳ đánh giá", period])
    guide.append(["Hạn nộp", f"{submission_deadline(period):%d/%m/%Y}"])
    guide.append(["Loại đơn vị", UNIT_TYPE_NAMES[unit_type]])
    if unit:
        guide.append(["Đơn vị", f"{unit['unit_code']} – {unit['name_vi']}"])
    guide.append([])
    guide.append(["Cách điền"])
    steps = [
        f'Điền số liệu vào sheet "{SHEET_NAME}": mỗi dòng là một chỉ số đơn vị phải báo cáo. Không thêm, xoá, đổi '
        f"tên hay gộp cột, không đổi tên sheet; các ô in sẵn đã được khoá.",
        "\"Tử số\" và \"Mẫu số\" là số lượng: số nguyên từ 0 trở lên, Tử số không lớn hơn Mẫu số. Không ghi tỷ lệ "
        "phần trăm (85%, 0,85): tỷ lệ = Tử số / Mẫu số được tính khi tổng hợp. Chọn một ô để xem cần đếm gì.",
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
    guide.append(["Mã chỉ số", "Tên chỉ số", "Tử số: đếm gì (theo danh mục chỉ số)",
                  "Mẫu số: đếm gì (theo danh mục chỉ số)", "Đơn vị tính", "Giá trị hợp lệ", "Điểm tối đa",
                  "Tỷ lệ đạt điểm tối đa"])
    for component in components:
        guide.append([component["component_code"], component["name_vi"], component["numerator_definition"],
                      component["denominator_definition"], "số lượng", "số nguyên ≥ 0; Tử số ≤ Mẫu số",
                      int(float(component["max_points"])), f"{float(component['target_rate']):.0%}"])
    unit_list = None
    if not unit:
        guide.append([])
        guide.append(["Danh mục mã đơn vị"])
        guide.append(["Mã đơn vị", "Tên đơn vị"])
        first = guide.max_row + 1
        for listed in units:
            guide.append([listed["unit_code"], listed["name_vi"]])
        unit_list = f"{quote_sheetname(INSTRUCTIONS_SHEET)}!$A${first}:$A${guide.max_row}"
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                cell.alignment = WRAPPED
                if row[0].value in headings:
                    cell.font = BOLD
    for letter, width in zip("ABCDEFGH", (12, 60, 45, 45, 12, 28, 10, 14)):
        guide.column_dimensions[letter].width = width
    guide.protection.sheet = True
    return unit_list
