"""The submission reader names the file, unit, row and column of every problem it refuses."""

import codecs
import re
import unicodedata
import zipfile
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from dti.catalog.text import parse_number_text
from dti.sources import submissions, workbook
from dti.sources.submission_template import submission_rules
from dti.sources.workbook import HEADER_SEARCH_ROWS, MAX_SHEET_CELLS
from tests.helpers import PERIOD, PROVINCE, filled_template, submission_row, workbook_bytes, xlsx_bytes

BAD_INPUT = Path(__file__).parents[1] / "fixtures" / "bad_input" / "submissions"

LIMIT = 1_000_000
RULES = submission_rules(PERIOD, PROVINCE)


def read(content: bytes, file_name: str = "SKHCN.xlsx", limit: int = LIMIT) -> submissions.Submission:
    return submissions.read_submission(content, file_name, limit, RULES)


def _zip_without_workbook() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bao-cao.txt", "không phải bảng tính")
    return buffer.getvalue()


def _with_saved_result(content: bytes, cell: str, result: str) -> bytes:
    """The workbook as Excel saves it after calculating: the formula in ``cell`` keeps its result."""
    buffer = BytesIO()
    with zipfile.ZipFile(BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes the empty result as <v/> or, with lxml installed, <v></v>.
                data = re.sub(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)<v(?:\s*/>|></v>)'.encode(),
                              rf"\1\2<v>{result}</v>".encode(), data)
            target.writestr(member, data)
    return buffer.getvalue()


def test_a_good_workbook_is_read_row_by_row_with_spreadsheet_row_numbers():
    content = workbook_bytes([submission_row(component_code="CQ01"),
                              submission_row(component_code="NL01", numerator=5, denominator=8),
                              submission_row(component_code="NL02", numerator=None, denominator=None, value=3)])
    submission = read(content)
    assert (submission.unit_code, submission.period) == ("SKHCN", PERIOD)
    assert [(r["component_code"], r["numerator"], r["denominator"], r["reported_value"], r["_row_number"])
            for r in submission.rows] == [
        ("CQ01", Decimal(60), Decimal(100), None, 2),
        ("NL01", Decimal(5), Decimal(8), None, 3),
        ("NL02", None, None, Decimal(3), 4),
    ]
    assert submission.rows[0]["unit_name"] == "Sở Khoa học và Công nghệ"
    assert submission.rejected == []


def test_a_bad_cell_rejects_its_row_only_naming_file_unit_row_and_column_in_both_languages():
    content = workbook_bytes([submission_row(unit_code="SNV"),
                              submission_row(unit_code="SNV", component_code="NL01", numerator="năm mươi"),
                              submission_row(unit_code="SNV", component_code="CQ03", denominator=-4)])
    submission = read(content, "SNV.xlsx")
    assert [r["component_code"] for r in submission.rows] == ["CQ01"]
    assert [(r.row_number, r.column_name, r.raw_value) for r in submission.rejected] == [
        (3, "numerator", "năm mươi"), (4, "denominator", "-4"),
    ]
    assert submission.rejected[0].reason == (
        'SNV.xlsx · đơn vị SNV · dòng 3 · cột "Tử số": phải là số không âm, đang ghi "năm mươi"; ghi số lượng bằng '
        'chữ số / SNV.xlsx · unit SNV · row 3 · column "Tử số": must be a non-negative number, found "năm mươi"; '
        'write the count in digits')
    assert 'dòng 4 · cột "Mẫu số": không được âm' in submission.rejected[1].reason


def test_an_empty_required_cell_is_named_by_its_vietnamese_header():
    content = workbook_bytes([submission_row(), submission_row(component_code=None)])
    (rejected,) = read(content).rejected
    assert (rejected.row_number, rejected.column_name) == (3, "component_code")
    assert 'cột "Mã chỉ số": chưa nhập' in rejected.reason


def test_codes_are_compared_without_regard_to_case_and_stored_as_the_catalog_writes_them():
    submission = read(workbook_bytes([submission_row(unit_code="skhcn", component_code="cq01", period="2026-q3")]))
    row = submission.rows[0]
    assert (row["unit_code"], row["component_code"], row["period"]) == ("SKHCN", "CQ01", PERIOD)


def test_a_formula_whose_result_was_saved_is_read_as_that_result():
    # "Giá trị" is blank on a ratio row, so the sheet's formulas are read: a blank cell elsewhere
    # must not turn a calculated formula into one without its result.
    content = _with_saved_result(workbook_bytes([submission_row(numerator="=G2*0.6")]), "F2", "60")
    assert read(content).rows[0]["numerator"] == Decimal(60)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1234", Decimal(1234)), ("1 234", Decimal(1234)), ("1\u00a0234", Decimal(1234)),
        ("1.234", Decimal(1234)), ("1,234", Decimal(1234)), ("1.234.567", Decimal(1234567)),
        ("1,234,567", Decimal(1234567)), ("1.234,5", Decimal("1234.5")), ("1,234.5", Decimal("1234.5")),
        ("12,5", Decimal("12.5")), ("12.5", Decimal("12.5")), ("0,85", Decimal("0.85")), ("0.850", Decimal("0.850")),
        ("-4", Decimal(-4)), ("+7", Decimal(7)),
        ("năm mươi", None), ("12,", None), ("1.2.3", None), ("1.23.456", None), ("1,234,5.6", None), ("5e3", None),
        ("", None),
    ],
)
def test_numbers_written_as_text_are_read_in_vietnamese_or_english_style(text, number):
    assert parse_number_text(text) == number


def test_a_count_with_thousands_separators_is_read_as_the_count():
    content = workbook_bytes([submission_row(component_code="CQ03", numerator="1.234", denominator="12 500")])
    row = read(content).rows[0]
    assert (row["numerator"], row["denominator"]) == (Decimal(1234), Decimal(12500))


@pytest.mark.parametrize(
    "content",
    [
        ";".join(submissions.HEADERS)
        + "\r\nSKHCN;Sở Khoa học và Công nghệ;2026-Q3;CQ01;Dịch vụ công;1.234;2.000;;1/BC\r\n",
        ",".join(submissions.HEADERS)
        + '\r\nSKHCN,Sở Khoa học và Công nghệ,2026-Q3,CQ01,"Dịch vụ, công",1234,2000,,1/BC\r\n',
    ],
    ids=["semicolons", "commas"],
)
def test_a_csv_submission_is_read_with_its_own_separator(content):
    submission = read(codecs.BOM_UTF8 + content.encode("utf-8"), "SKHCN.csv")
    assert submission.rejected == []
    (row,) = submission.rows
    assert (row["unit_name"], row["numerator"], row["denominator"], row["_row_number"]) == (
        "Sở Khoa học và Công nghệ", Decimal(1234), Decimal(2000), 2)


@pytest.mark.parametrize(
    ("file_name", "content", "reason"),
    [
        ("SNV.xlsx", b"", "the file is empty"),
        ("SNV.xlsx", b"PK\x03\x04" + b"\x00" * 300, "not a valid .xlsx file: the package is damaged or incomplete"),
        ("SNV.xlsx", _zip_without_workbook(), "the workbook cannot be opened"),
        ("SNV.xlsx", b"Ma don vi;Ky\nSNV;2026-Q3\n", "not a valid .xlsx file (it is not an Office Open XML package"),
        ("SNV.doc", b"\xd0\xcf\x11\xe0", ".doc files are not accepted"),
        ("SNV.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1528),
         "the .xls file is damaged, incomplete or password-protected"),
        ("SNV.csv", b"a,b\n1,2\n", 'the column(s) "Mã đơn vị", "Tên đơn vị"'),
        ("SNV.xlsx", workbook_bytes([submission_row()], sheet_name="Sheet1"),
         'sheet "Tự đánh giá" is missing (found: "Sheet1")'),
        # "Giá trị" is left out too, and not named: files of the older template do not have it.
        ("SNV.xlsx", workbook_bytes([submission_row()], headers=submissions.HEADERS[:-3]),
         'the column(s) "Mẫu số", "Văn bản kiểm chứng" are missing; keep'),
        ("SNV.xlsx", workbook_bytes([submission_row()], headers=[*submissions.HEADERS[:-1], "Tử số"]),
         'column "Tử số" appears twice'),
        ("SNV.xlsx", workbook_bytes([]), "has the header row but no indicator rows"),
        ("SNV.xlsx", workbook_bytes([submission_row(unit_code="SNV"), submission_row(unit_code="STP")]),
         "this one has units SNV, STP"),
    ],
)
def test_an_unusable_file_is_refused_with_a_reason_naming_it_in_both_languages(file_name, content, reason):
    with pytest.raises(submissions.UnreadableSubmission) as refused:
        read(content, file_name)
    message = str(refused.value)
    assert message.startswith(f"{file_name} · đơn vị SNV")
    assert f" / {file_name} · unit SNV" in message
    assert reason in message


# --- "Giá trị": the figure of every component that is not a ratio -------------------------------

def value_row(component_code: str, value, unit_code: str = "SKHCN", numerator=None, denominator=None) -> list:
    return submission_row(unit_code=unit_code, component_code=component_code, numerator=numerator,
                          denominator=denominator, value=value)


# The answers of FP05 (who heads the province's steering committee), as the catalog lists them.
SECRETARY_OR_CHAIRMAN = "Bí thư Tỉnh ủy hoặc Chủ tịch Ủy ban nhân dân tỉnh"
VICE_CHAIRMAN = "Phó Chủ tịch Ủy ban nhân dân tỉnh"
NO_COMMITTEE = "Chưa thành lập Ban Chỉ đạo"
FP05_ANSWERS = f'"{SECRETARY_OR_CHAIRMAN}", "{VICE_CHAIRMAN}", "{NO_COMMITTEE}"'


@pytest.mark.parametrize(
    ("component_code", "value", "read_as"),
    [
        # boolean (NT02, FP02): Có / Không, in any case, with or without diacritics, or 1 / 0
        ("NT02", "Có", 1), ("NT02", "Không", 0), ("NT02", "KHÔNG", 0), ("NT02", "khong", 0), ("NT02", " co ", 1),
        ("NT02", "Yes", 1), ("NT02", "no", 0), ("NT02", 1, 1), ("NT02", 0, 0), ("NT02", "1", 1), ("NT02", True, 1),
        ("FP02", "có", 1),
        # yes_partial_no (NT03, FP03): Có / Một phần / Không
        ("NT03", "Một phần", "0.5"), ("NT03", "một  phần", "0.5"), ("NT03", "MOT PHAN", "0.5"), ("NT03", 0.5, "0.5"),
        ("NT03", "Có", 1), ("FP03", "Không", 0),
        # count_capped (NL02, FP01) and tiered (AT02): a whole number from 0
        ("NL02", 3, 3), ("NL02", "4", 4), ("AT02", 0, 0), ("FP01", 4, 4), ("NL02", "1.200", 1200),
        # categorical (FP05): the catalog's answer, in any case and Unicode form, or its number, read as its share
        ("FP05", SECRETARY_OR_CHAIRMAN, 1), ("FP05", f"  {VICE_CHAIRMAN.upper()} ", "0.5"),
        ("FP05", unicodedata.normalize("NFD", NO_COMMITTEE), 0), ("FP05", "2", "0.5"), ("FP05", 1, 1),
        ("FP05", 3.0, 0),
    ],
)
def test_a_value_is_read_by_its_components_scoring_rule(component_code, value, read_as):
    submission = read(workbook_bytes([value_row(component_code, value)]))
    assert submission.rejected == []
    (row,) = submission.rows
    assert row["reported_value"] == Decimal(read_as)
    assert (row["numerator"], row["denominator"]) == (None, None)


@pytest.mark.parametrize(
    ("component_code", "value", "vi", "en"),
    [
        ("NT02", "Có lẽ", 'phải là một trong "Có", "Không", đang ghi "Có lẽ"',
         'must be one of "Có", "Không", found "Có lẽ"; pick it from the cell\'s list'),
        ("NT02", "Một phần", 'phải là một trong "Có", "Không"', 'found "Một phần"'),
        ("NT02", 0.5, 'phải là một trong "Có", "Không"', 'found "0.5"'),
        ("NT03", "Partly yes", 'phải là một trong "Có", "Một phần", "Không"', 'found "Partly yes"'),
        ("NT02", None, 'chưa nhập; ghi một trong "Có", "Không"', 'is empty; write one of "Có", "Không"'),
        ("NL02", -1, 'không được âm, đang ghi "-1"', 'must not be negative, found "-1"'),
        ("AT02", 2.5, 'phải là số nguyên (số lượng), đang ghi "2.5"', 'must be a whole number (a count), found "2.5"'),
        ("NL02", "85%", 'không ghi tỷ lệ phần trăm, đang ghi "85%"', 'not a percentage, found "85%"'),
        ("NL02", "ba người", 'phải là số không âm, đang ghi "ba người"', 'must be a non-negative number'),
        ("AT02", None, "chưa nhập; ghi số nguyên từ 0 trở lên", "is empty; write a whole number from 0"),
        ("FP05", "Giám đốc Sở", f'phải là một trong {FP05_ANSWERS} (hoặc số thứ tự 1, 2, 3), đang ghi "Giám đốc Sở"; '
                                f"chọn trong danh sách của ô",
         f'must be one of {FP05_ANSWERS} (or its number 1, 2, 3), found "Giám đốc Sở"; pick it from the cell\'s list'),
        ("FP05", 4, "(hoặc số thứ tự 1, 2, 3)", 'found "4"'),
        ("FP05", "0.5", f"phải là một trong {FP05_ANSWERS}", 'found "0.5"'),
        ("FP05", None, f"chưa nhập; ghi một trong {FP05_ANSWERS} (hoặc số thứ tự 1, 2, 3)",
         f"is empty; write one of {FP05_ANSWERS} (or its number 1, 2, 3)"),
    ],
)
def test_a_missing_or_invalid_value_rejects_its_row_naming_the_column_in_both_languages(component_code, value, vi, en):
    submission = read(workbook_bytes([submission_row(), value_row(component_code, value)]))
    assert [r["component_code"] for r in submission.rows] == ["CQ01"]
    (rejected,) = submission.rejected
    assert (rejected.row_number, rejected.column_name) == (3, "reported_value")
    vietnamese, english = rejected.reason.split(" / ")
    assert vietnamese.startswith('SKHCN.xlsx · đơn vị SKHCN · dòng 3 · cột "Giá trị": ') and vi in vietnamese
    assert english.startswith('SKHCN.xlsx · unit SKHCN · row 3 · column "Giá trị": ') and en in english
    # A count's reason says nothing of rates: "Giá trị" is no share of anything.
    assert "Tử số và Mẫu số" not in vietnamese or component_code.startswith("NT")


def test_a_value_where_the_rule_wants_the_value_but_counts_were_written_says_so():
    (rejected,) = read(workbook_bytes([submission_row(), value_row("NL02", None, numerator=3)])).rejected
    assert "chỉ số này không dùng Tử số và Mẫu số" in rejected.reason
    assert "this indicator does not use Tử số and Mẫu số" in rejected.reason


def test_a_ratio_row_is_read_from_its_counts_and_its_value_cell_is_not_read():
    # A rate written in "Giá trị" next to the counts neither replaces nor contradicts them.
    submission = read(workbook_bytes([submission_row(numerator=60, denominator=100, value="85%")]))
    assert submission.rejected == []
    (row,) = submission.rows
    assert (row["numerator"], row["denominator"], row["reported_value"]) == (Decimal(60), Decimal(100), None)


def test_a_file_of_the_older_template_without_the_value_column_is_still_read():
    headers = [header for header in submissions.HEADERS if header != "Giá trị"]
    rows = [[cell for header, cell in zip(submissions.HEADERS, row, strict=True) if header != "Giá trị"]
            for row in (submission_row(), value_row("NT02", "Có"))]
    submission = read(workbook_bytes(rows, headers=headers))
    assert [(r["component_code"], r["numerator"], r["reported_value"]) for r in submission.rows] == [
        ("CQ01", Decimal(60), None)]
    (rejected,) = submission.rejected
    assert (rejected.row_number, rejected.column_name, rejected.raw_value) == (3, "reported_value", None)
    assert 'cột "Giá trị": tệp không có cột "Giá trị" (mẫu cũ) mà chỉ số này cần' in rejected.reason
    assert "download this period's template" in rejected.reason


@pytest.mark.parametrize(
    ("unit_code", "component_code", "reason"),
    [
        ("SNV", "FP01", "indicator FP01 is reported by the focal-point unit, not by departments; delete this row"),
        ("SNV", "XH01", "indicator XH01 is reported by communes and wards, not by departments"),
        ("X07246", "NL02", "indicator NL02 is reported by departments, not by communes and wards"),
        ("P07210", "FP02", "indicator FP02 is reported by the focal-point unit, not by communes and wards"),
    ],
)
def test_a_component_outside_the_units_own_catalogs_is_set_aside(unit_code, component_code, reason):
    content = workbook_bytes([submission_row(unit_code=unit_code, component_code="NT01"),
                              value_row(component_code, 2, unit_code=unit_code)])
    submission = read(content, f"{unit_code}.xlsx")
    assert [r["component_code"] for r in submission.rows] == ["NT01"]
    (rejected,) = submission.rejected
    assert (rejected.row_number, rejected.column_name) == (3, "component_code")
    assert reason in rejected.reason and f"{unit_code}.xlsx · đơn vị {unit_code} · dòng 3" in rejected.reason


def test_the_focal_point_unit_reports_its_departments_catalog_and_the_focal_point_catalog():
    assert set(RULES.unit_catalogs["SKHCN"]) == {"department", "focal_point"}
    content = workbook_bytes([submission_row(component_code="NT01"), value_row("FP01", 4), value_row("FP02", "Có")])
    assert [r["component_code"] for r in read(content).rows] == ["NT01", "FP01", "FP02"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened():
    with pytest.raises(submissions.UnreadableSubmission, match="over the 100-byte limit"):
        read(workbook_bytes([submission_row()]), "SNV.xlsx", 100)


def test_a_file_whose_name_is_no_known_unit_says_the_unit_is_not_identified():
    with pytest.raises(submissions.UnreadableSubmission) as refused:
        read(b"", "bao-cao-quy-3.xlsx")
    assert refused.value.unit_code is None
    assert str(refused.value).startswith("bao-cao-quy-3.xlsx · đơn vị chưa xác định: tệp rỗng")


@pytest.mark.parametrize(
    ("sent", "safe"),
    [
        ("SNV.xlsx", "SNV.xlsx"),
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("..\\..\\Windows\\SNV.xlsx", "SNV.xlsx"),
        ("C:\\Users\\van-thu\\Desktop\\Sở Nội vụ.xlsx", "Sở Nội vụ.xlsx"),
        ("SNV\x1b[2J\r\n.xlsx", "SNV[2J.xlsx"),
        ("\u202egpj.xlsx", "gpj.xlsx"),
        ("..", "khong-ten"),
        ("", "khong-ten"),
        ("x" * 300 + ".xlsx", "x" * 115 + ".xlsx"),
    ],
)
def test_a_file_name_is_cut_to_its_last_part_and_printable_characters(sent, safe):
    assert submissions.safe_file_name(sent) == safe


# --- files as clerks save them --------------------------------------------------------------------


def _csv_text(rows: list[list], delimiter: str = ";") -> str:
    lines = [submissions.HEADERS, *rows]
    return "\r\n".join(delimiter.join("" if value is None else str(value) for value in line) for line in lines) + "\r\n"


def test_the_header_row_is_found_under_a_title_block_and_rows_keep_the_sheets_numbers():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = submissions.SHEET_NAME
    sheet["A1"] = "UBND XÃ TIÊN DU"
    sheet.merge_cells("A1:I1")
    sheet["A3"] = "BÁO CÁO TỰ ĐÁNH GIÁ CHỈ SỐ CHUYỂN ĐỔI SỐ QUÝ III/2026"
    sheet.merge_cells("A3:I3")
    sheet.append(submissions.HEADERS)  # row 4
    sheet.append(submission_row(component_code="CQ01"))
    sheet.append(submission_row(component_code="NL01", numerator=9, denominator=8))
    submission = read(xlsx_bytes(workbook))
    assert [row["_row_number"] for row in submission.rows] == [5]
    assert [(r.row_number, r.column_name) for r in submission.rejected] == [(6, "numerator")]


def test_a_header_row_below_the_rows_searched_is_not_taken_for_one():
    rows = [[f"dòng tiêu đề {number}"] for number in range(HEADER_SEARCH_ROWS)]
    content = workbook_bytes(rows + [submissions.HEADERS, submission_row()], headers=["UBND XÃ TIÊN DU"])
    with pytest.raises(submissions.UnreadableSubmission, match='thiếu cột "Mã đơn vị"'):
        read(content)


def test_a_header_row_with_merged_cells_under_a_title_block_is_explained_on_its_own_row():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = submissions.SHEET_NAME
    sheet["A1"] = "BÁO CÁO TỰ ĐÁNH GIÁ"
    sheet.merge_cells("A1:I1")
    sheet.append(submissions.HEADERS)
    sheet["F2"] = "Số liệu"
    sheet.merge_cells("F2:G2")
    sheet.append(submission_row())
    with pytest.raises(submissions.UnreadableSubmission) as refused:
        read(xlsx_bytes(workbook))
    assert "dòng 2: dòng tiêu đề có ô gộp (F2:G2)" in str(refused.value)


def test_excel_s_separator_line_names_the_separator_and_is_not_a_row():
    content = ("sep=;\r\n" + _csv_text([submission_row(numerator="1.234", denominator="2.000"),
                                        submission_row(component_code="NL01", numerator=-1)])).encode("utf-8")
    submission = read(content, "SKHCN.csv")
    # Excel hides the line and shows the header as row 1: reasons quote the rows it shows.
    assert [(row["_row_number"], row["numerator"]) for row in submission.rows] == [(2, Decimal(1234))]
    assert [(r.row_number, r.column_name) for r in submission.rejected] == [(3, "numerator")]


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_unicode_text_is_read_as_utf_16_separated_by_tabs(bom):
    text = _csv_text([submission_row()], delimiter="\t")
    content = bom + text.encode("utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be")
    for file_name in ("SKHCN.txt", "SKHCN.csv"):
        row, = read(content, file_name).rows
        assert (row["unit_name"], row["numerator"]) == ("Sở Khoa học và Công nghệ", Decimal(60))


@pytest.mark.parametrize("label", ["Tổng cộng", "TỔNG CỘNG", "Cộng", "cộng:", "Tong cong", "CONG"])
@pytest.mark.parametrize("column", [0, 1, 4])
def test_a_totals_row_is_skipped_with_a_note_whatever_its_case_or_diacritics(label, column):
    totals = [None] * len(submissions.HEADERS)
    totals[column], totals[5], totals[6] = label, 60, 100
    submission = read(workbook_bytes([submission_row(), totals]))
    assert (len(submission.rows), submission.rejected) == (1, [])
    note, = submission.notes
    assert f'dòng 3: dòng tổng cộng ("{label}") không phải chỉ số, đã bỏ qua' in note
    assert f'row 3: a totals row ("{label}") is no indicator and was skipped' in note


def test_a_component_merely_named_with_the_word_is_no_totals_row():
    submission = read(workbook_bytes([submission_row(), [*submission_row(component_code="NL01")[:4], "Cộng đồng số",
                                                         5, 8, None, "1/BC"]]))
    assert (len(submission.rows), submission.notes) == (2, [])


@pytest.mark.parametrize(("rules_period", "written"), [("2026-09", "Tháng 9/2026"), ("2026", "Năm 2026"),
                                                       ("2026-Q3", "Quý III năm 2026")])
def test_the_period_is_read_in_the_notation_of_the_inbox_s_granularity(rules_period, written):
    rules = submission_rules(rules_period, PROVINCE)
    row, = submissions.read_submission(workbook_bytes([submission_row(period=written)]), "SKHCN.xlsx", LIMIT,
                                       rules).rows
    assert row["period"] == rules_period


def test_a_period_that_reads_as_no_period_says_how_to_write_it():
    submission = read(workbook_bytes([submission_row(), submission_row(component_code="NL01", period="Quý ba")]))
    reason, = (r.reason for r in submission.rejected)
    assert 'đang ghi "Quý ba", không đọc được là kỳ nào; ghi "2026-Q3" hoặc "Quý III/2026"' in reason
    assert 'found "Quý ba", which reads as no period; write "2026-Q3" or "Quý III/2026"' in reason


@pytest.mark.parametrize("case", ["X07615_excel_97_2003.xls", "X07616_libreoffice.ods"])
def test_a_workbook_libreoffice_saved_reads_cell_for_cell_as_the_xlsx_it_was_made_from(case):
    def values(table: workbook.Table) -> list[list]:
        rows = [[cell.value for cell in cells] for _, cells in table.rows]
        return [row[:max((index + 1 for index, value in enumerate(row) if value is not None), default=0)]
                for row in rows]

    unit = case.split("_")[0]
    saved = workbook.workbook_table((BAD_INPUT / case).read_bytes(), submissions.SHEET_NAME, Path(case).suffix)
    made_from = workbook.workbook_table(xlsx_bytes(filled_template(unit)), submissions.SHEET_NAME, ".xlsx")
    assert values(saved) == values(made_from)
    assert {type(value) for row in values(saved) for value in row} <= {str, int, type(None)}


@pytest.mark.parametrize("case", ["X07672_cell_bomb.xls", "P07681_cell_bomb.ods"])
def test_a_sheet_spanning_millions_of_cells_is_refused_before_calamine_builds_it(case, monkeypatch):
    def must_not_open(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(workbook.CalamineWorkbook, "from_filelike", must_not_open)
    with pytest.raises(submissions.UnreadableSubmission, match=f"over the {MAX_SHEET_CELLS}-cell limit"):
        read((BAD_INPUT / case).read_bytes(), case, 64 * 1024)


def test_a_truncated_xls_is_refused_as_damaged():
    content = (BAD_INPUT / "X07615_excel_97_2003.xls").read_bytes()
    with pytest.raises(submissions.UnreadableSubmission, match="the .xls file is damaged"):
        read(content[:2048], "X07615.xls")


def test_a_real_xls_renamed_xlsx_is_read_for_what_it_is():
    content = (BAD_INPUT / "X07615_excel_97_2003.xls").read_bytes()
    submission = submissions.read_submission(content, "X07615.xlsx", LIMIT, RULES)
    assert (submission.unit_code, submission.rejected) == ("X07615", [])


def test_the_period_a_file_writes_is_the_one_most_of_its_rows_write():
    rows = [submission_row(period="Quý III/2026"), submission_row(component_code="NL01", period="Q3/2026"),
            submission_row(component_code="NL02", period="Quý II/2026")]
    assert submissions.period_written_in(workbook_bytes(rows), "SKHCN.xlsx", LIMIT) == "2026-Q3"
    assert submissions.period_written_in(b"", "SKHCN.xlsx", LIMIT) is None
    assert submissions.period_written_in(workbook_bytes([submission_row(period="")]), "SKHCN.xlsx", LIMIT) is None
