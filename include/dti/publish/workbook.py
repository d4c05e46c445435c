"""The report's tables as an XLSX workbook, in the layout the Ministry collects: one sheet per table.

Published beside the report as ``reports/<period>/dti-<period>.xlsx``. Headers are Vietnamese,
numbers are stored as numbers with a number format (the reader's Excel shows them with its own
decimal separator), the header row is frozen and filtered.

Text comes from the units (names, rejection reasons, evidence) and must never run as a formula:
every text cell is written as a string cell, and one that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return (the OWASP CSV-injection list) also gets Excel's quote prefix
(``quotePrefix``, what typing a leading apostrophe does). The text itself is kept exactly as
submitted; the prefix keeps Excel and LibreOffice from turning the cell into a formula even when a
reader edits it and presses Enter.

Read from the ``rpt_*`` marts made for publishing, in the order they give (the Ministry's main-index
numbers among them), as the report is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import psycopg
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dti.provinces import Province
from dti.publish.formatting import COMPARISON_SIGNS, VIETNAM_TIME
from dti.publish.marts import mart_rows
from dti.publish.messages import VIETNAMESE
from dti.scoring_rules import display_kind
from dti.units_of_measure import unit_of_measure_vi

# The first characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

NUMBER_FORMATS = {
    "dti": "0.0000",
    "points": "#,##0.00",
    "rate": "0.0%",
    "integer": "#,##0",
    # a year reads as written, never "2,026"
    "year": "0",
    "number": "General",
    # 1 and 0 read as the report writes them; any other value as a plain number.
    "yes_no": '[=1]"Có";[=0]"Không";General',
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}
MAX_COLUMN_WIDTH = 60
HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
TARGET_RESULT_LABELS = {True: VIETNAMESE.text("met"), False: VIETNAMESE.text("unmet"),
                        None: VIETNAMESE.text("not_measured")}
COLLECT_DATA_FIRST = VIETNAMESE.text("collect_data_first")


def workbook_file_name(period: str) -> str:
    return f"dti-{period}.xlsx"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str = "text"  # a key of NUMBER_FORMATS, or 'text'
    # For a column whose values read differently by row (a target's actual value): row -> kind.
    kind_of_row: Callable[[Mapping], str] | None = None

    def kind_for(self, row: Mapping) -> str:
        return self.kind if self.kind_of_row is None else self.kind_of_row(row)


@dataclass(frozen=True)
class Table:
    sheet: str
    columns: Sequence[Column]
    rows: Sequence[Mapping] = field(default_factory=tuple)


def workbook_files(conn: psycopg.Connection, period: str, province: Province) -> dict[str, bytes]:
    """The workbook of ``period`` as a file of the publication (path relative to ``reports/<period>``)."""
    return {workbook_file_name(period): render_workbook(load_workbook_tables(conn, period), province)}


def render_workbook(tables: Sequence[Table], province: Province) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = f"Sở Khoa học và Công nghệ {province.name_in_text_vi}"
    workbook.properties.title = "Kết quả Chỉ số chuyển đổi số (DTI)"
    for table in tables:
        _write_sheet(workbook.create_sheet(table.sheet), table)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_text(cell, text: str) -> None:
    """Put ``text`` in ``cell`` as text, never as a formula (see the module's docstring)."""
    # Characters XML cannot hold would make the whole workbook unreadable; they are shown as such.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def _write_sheet(sheet, table: Table) -> None:
    widths = []
    for column_number, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=column_number)
        write_text(cell, column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths.append(len(column.header))
    for row_number, row in enumerate(table.rows, start=2):
        for column_number, column in enumerate(table.columns, start=1):
            value = row[column.key]
            cell = sheet.cell(row=row_number, column=column_number)
            kind = column.kind_for(row)
            if value is None:
                continue
            if kind == "text":
                write_text(cell, str(value))
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                shown = max((len(line) for line in str(value).splitlines()), default=0)
            else:
                cell.value = _cell_number(value)
                cell.number_format = NUMBER_FORMATS[kind]
                cell.alignment = Alignment(vertical="top")
                shown = 12
            widths[column_number - 1] = max(widths[column_number - 1], shown)
    for column_number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column_number)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    _print_as_officials_do(sheet)
    if table.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def _print_as_officials_do(sheet) -> None:
    """Landscape A4, every column on one page's width (as many pages down as it takes), the header row
    repeated on every printed page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def _cell_number(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        # Excel has no time zones: the time as read in Vietnam.
        return value.astimezone(VIETNAM_TIME).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (int, float, date)):
        return value
    raise TypeError(f"{value!r} is not a number or a date")


def _with_no_data_reason(text: str | None, row: Mapping) -> str | None:
    """``text``, followed by why the row has no data for the period where it has none."""
    return f"{text}: {row['no_data_reason_vi']}" if row.get("no_data_reason_vi") else text


def _label(kind: str, code: str | None) -> str | None:
    return None if code is None else VIETNAMESE.label(kind, code)


def _natural_key(code: str) -> list:
    """'1.2' before '1.10', 'CQ2' before 'CQ10'."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", code or "")]


def _component_kind(row: Mapping) -> str:
    return display_kind(row["scoring_rule"])


def _target_kind(row: Mapping) -> str:
    if row["metric"] == "dti_score":
        return "dti"
    if row["metric"] == "national_rank":
        return "integer"
    return _component_kind(row)


def _target_gap_kind(row: Mapping) -> str:
    # A yes/no gap is a distance between 0 and 1, not a yes or a no.
    kind = _target_kind(row)
    return "number" if kind == "yes_no" else kind


def load_workbook_tables(conn: psycopg.Connection, period: str) -> list[Table]:
    """Every sheet of the workbook of ``period``, read from the marts."""
    def rows(mart: str, where: str = "", order_by: str | None = None) -> list[dict]:
        return mart_rows(conn, mart, "period = %(period)s" + where, {"period": period}, order_by)

    province = rows("rpt_province_dti")
    main_indices = rows("rpt_main_index_scores", " and scope_type = 'province'", "display_order")
    components = rows("rpt_component_scores", " and scope_type = 'province'")
    targets = rows("rpt_target_progress", order_by="display_order")
    levers = rows("rpt_improvement_levers", order_by="lever_rank")
    units = rows("rpt_unit_ranking",
                 order_by="case ranking_group when 'department' then 1 else 2 end, rank_in_group nulls last, name_vi")
    to_urge = rows("rpt_units_to_urge", order_by="urge_order")

    for row in province:
        row["framework"] = f"Khung {row['catalog_code']}"
        row["estimate_vi"] = "Ước tính" if row["is_estimate"] else "Đủ các chỉ số thành phần chính thức"
    for row in main_indices:
        row["group_vi"] = _label("index_group", row["index_group"])
    components.sort(key=lambda row: (row["main_index_number"] is None, row["main_index_number"] or 0,
                                     _natural_key(row["component_code"])))
    for row in components:
        row["value_source_vi"] = _label("value_source", row["value_source"])
        row["responsible_vi"] = _label("responsible_unit", row["responsible_unit_type"])
        row["status_vi"] = _with_no_data_reason(_label("score_status", row["score_status"]), row)
        row["unit_of_measure_vi"] = unit_of_measure_vi(row["unit_of_measure"])
        row["provenance_vi"] = _label("provenance", row["provenance"])
    for row in targets:
        row["comparison_vi"] = COMPARISON_SIGNS.get(row["comparison"], row["comparison"])
        row["result_vi"] = (_with_no_data_reason(COLLECT_DATA_FIRST, row) if row.get("collect_data_first")
                            else TARGET_RESULT_LABELS[row["is_met"]])
    for row in levers:
        row["responsible_vi"] = _label("responsible_unit", row["responsible_unit_type"])
        row["closes_gap_vi"] = (_with_no_data_reason(COLLECT_DATA_FIRST, row) if row.get("collect_data_first")
                                else "Cần để đạt mục tiêu" if row["closes_gap_to_target"] else None)
        row["units_short_vi"] = ", ".join(row["units_short_names"] or ()) or None
    for row in [*units, *to_urge]:
        row["unit_type_vi"] = _label("unit_type", row["unit_type"])
        row["status_vi"] = _label("submission_status", row["submission_status"])
    for row in units:
        row["group_vi"] = _label("ranking_group", row["ranking_group"])

    return [
        Table("Tổng hợp DTI", (
            Column("Kỳ đánh giá", "period"),
            Column("Năm đánh giá", "assessment_year", "year"),
            Column("Bộ chỉ số", "framework"),
            Column("Tổng điểm đạt", "points", "points"),
            Column("Tổng điểm tối đa", "max_points", "integer"),
            Column("DTI", "dti_score", "dti"),
            Column("Tính chất", "estimate_vi"),
            Column("DTI thấp nhất (thành phần chưa đo đạt 0 điểm)", "dti_score_lowest", "dti"),
            Column("DTI cao nhất (thành phần chưa đo đạt tối đa)", "dti_score_highest", "dti"),
            Column("Số chỉ số thành phần chính thức", "official_component_count", "integer"),
            Column("Chỉ số thành phần đo được", "components_measured", "integer"),
            Column("– theo định nghĩa chính thức", "components_official_measured", "integer"),
            Column("– theo chỉ số thay thế của tỉnh", "components_proxy_measured", "integer"),
            Column("Chỉ số chờ Bộ đánh giá", "components_awaiting", "integer"),
            Column("Tỷ lệ bao phủ", "official_coverage", "rate"),
            Column("Trụ cột chính quyền số", "pillar_government", "dti"),
            Column("Trụ cột kinh tế số", "pillar_economy", "dti"),
            Column("Trụ cột xã hội số", "pillar_society", "dti"),
            Column("Xếp loại (thang của tỉnh)", "grade_vi"),
            Column("Kỳ trước", "previous_period"),
            Column("DTI kỳ trước", "previous_dti_score", "dti"),
            Column("Thay đổi so với kỳ trước", "dti_change", "dti"),
            Column("Chỉ số thành phần", "components_in_scope", "integer"),
            Column("Chỉ số thành phần thiếu dữ liệu", "components_missing", "integer"),
            Column("So với kết quả DTI công bố năm", "compared_year", "year"),
            Column("Số tỉnh, thành phố có điểm công bố", "peers_with_score", "integer"),
            Column("Thứ hạng ước tính", "estimated_rank", "integer"),
            Column("Thứ hạng trường hợp xấu nhất", "worst_case_rank", "integer"),
            Column("Thứ hạng cao nhất trong khoảng DTI", "rank_range_best", "integer"),
            Column("Thứ hạng thấp nhất trong khoảng DTI", "rank_range_worst", "integer"),
            Column("DTI của vị trí thứ 10", "tenth_place_score", "dti"),
            Column("Còn thiếu để vào nhóm 10", "gap_to_top10", "dti"),
        ), province),
        Table("Chỉ số chính", (
            Column("STT", "main_index_number", "integer"),
            Column("Chỉ số chính", "name_vi"),
            Column("Nhóm", "group_vi"),
            Column("Điểm đạt", "points", "points"),
            Column("Điểm tối đa", "max_points", "integer"),
            Column("Giá trị (ước tính)", "index_value", "dti"),
            Column("Giá trị thấp nhất", "index_value_lowest", "dti"),
            Column("Giá trị cao nhất", "index_value_highest", "dti"),
            Column("Số chỉ số thành phần chính thức", "official_component_count", "integer"),
            Column("Đo được theo định nghĩa chính thức", "components_official_measured", "integer"),
            Column("Đo được theo chỉ số thay thế của tỉnh", "components_proxy_measured", "integer"),
            Column("Chờ Bộ đánh giá", "components_awaiting", "integer"),
            Column("Chỉ số thành phần thiếu dữ liệu", "components_missing", "integer"),
        ), main_indices),
        Table("Chỉ số thành phần", (
            Column("Mã", "component_code"),
            Column("Chỉ số thành phần", "name_vi"),
            Column("Chỉ số chính", "main_index_name_vi"),
            Column("Nguồn số liệu", "value_source_vi"),
            Column("Đơn vị chịu trách nhiệm", "responsible_vi"),
            Column("Đơn vị tính", "unit_of_measure_vi"),
            Column("Tử số", "numerator", "number"),
            Column("Mẫu số", "denominator", "number"),
            Column("Giá trị", "component_value", kind_of_row=_component_kind),
            Column("Giá trị mục tiêu", "target_value", kind_of_row=_component_kind),
            Column("Điểm tối đa", "max_points", "integer"),
            Column("Điểm đạt", "points", "points"),
            Column("Điểm còn có thể đạt", "headroom_points", "points"),
            Column("Trạng thái", "status_vi"),
            Column("Số đơn vị đã báo cáo", "units_reported", "integer"),
            Column("Số đơn vị phải báo cáo", "units_responsible", "integer"),
            Column("Nguồn định nghĩa", "provenance_vi"),
        ), components),
        Table("Tiến độ mục tiêu", (
            Column("Mã", "target_code"),
            Column("Mục tiêu", "name_vi"),
            Column("Năm mục tiêu", "target_year", "year"),
            Column("So sánh", "comparison_vi"),
            Column("Giá trị mục tiêu", "target_value", kind_of_row=_target_kind),
            Column("Thực tế", "actual_value", kind_of_row=_target_kind),
            Column("Còn thiếu", "gap", kind_of_row=_target_gap_kind),
            Column("Kết quả", "result_vi"),
            Column("Thực tế kỳ trước", "previous_actual_value", kind_of_row=_target_kind),
            Column("Thay đổi so với kỳ trước", "change_since_previous", kind_of_row=_target_gap_kind),
        ), targets),
        Table("Đòn bẩy cải thiện", (
            Column("Thứ tự", "lever_rank", "integer"),
            Column("Mã", "component_code"),
            Column("Chỉ số thành phần", "name_vi"),
            Column("Chỉ số chính", "main_index_name_vi"),
            Column("Đơn vị chịu trách nhiệm", "responsible_vi"),
            Column("Điểm đạt", "points", "points"),
            Column("Điểm tối đa", "max_points", "integer"),
            Column("Điểm còn có thể đạt", "headroom_points", "points"),
            Column("DTI tăng thêm", "dti_gain_at_target", "dti"),
            Column("DTI tăng cộng dồn", "cumulative_dti_gain", "dti"),
            Column("Để đạt mục tiêu", "closes_gap_vi"),
            Column("Số đơn vị chưa báo cáo", "units_missing", "integer"),
            Column("Số đơn vị chưa đạt điểm tối đa", "units_below_full_points", "integer"),
            Column("Đơn vị chưa đạt điểm tối đa", "units_short_vi"),
        ), levers),
        Table("Xếp hạng đơn vị", (
            Column("Nhóm xếp hạng", "group_vi"),
            Column("Hạng", "rank_in_group", "integer"),
            Column("Mã đơn vị", "unit_code"),
            Column("Đơn vị", "name_vi"),
            Column("Loại đơn vị", "unit_type_vi"),
            Column("Trạng thái nộp", "status_vi"),
            Column("DTI", "dti_score", "dti"),
            Column("Xếp loại", "grade_vi"),
            Column("Thay đổi so với kỳ trước", "dti_change", "dti"),
            Column("Chỉ số thành phần phải báo cáo", "components_in_scope", "integer"),
            Column("Chỉ số thành phần thiếu dữ liệu", "components_missing", "integer"),
            Column("Mã chỉ số thiếu dữ liệu", "components_missing_list"),
            Column("Chỉ số chưa đạt điểm tối đa (điểm còn thiếu)", "components_short_list"),
            Column("Điểm còn có thể đạt", "points_to_gain", "points"),
        ), units),
        Table("Đôn đốc", (
            Column("Mã đơn vị", "unit_code"),
            Column("Đơn vị", "name_vi"),
            Column("Loại đơn vị", "unit_type_vi"),
            Column("Trạng thái", "status_vi"),
            Column("Hạn nộp", "due_date", "date"),
            Column("Nộp lúc (giờ Việt Nam)", "first_accepted_at", "datetime"),
            Column("Số tệp đã nhận", "files_received", "integer"),
            Column("Số tệp bị từ chối", "files_rejected", "integer"),
            Column("Lý do từ chối", "rejection_reasons"),
        ), to_urge),
    ]
