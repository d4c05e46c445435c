"""The submission reader names the file, unit, row and column of every problem it refuses."""

import codecs
import re
import zipfile
from decimal import Decimal
from io import BytesIO

import pytest

from dti.sources import submissions
from dti.sources.submission_template import submission_rules
from tests.helpers import PERIOD, submission_row, workbook_bytes

LIMIT = 1_000_000
RULES = submission_rules(PERIOD)


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
                data = re.sub(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)<v\s*/>'.encode(),
                              rf"\1\2<v>{result}</v>".encode(), data)
            target.writestr(member, data)
    return buffer.getvalue()


def test_a_good_workbook_is_read_row_by_row_with_spreadsheet_row_numbers():
    content = workbook_bytes([submission_row(component_code="7.1"), submission_row(component_code="4.1", numerator=5, denominator=8)])
    submission = read(content)
    assert (submission.unit_code, submission.period) == ("SKHCN", PERIOD)
    assert [(r["component_code"], r["numerator"], r["denominator"], r["_row_number"]) for r in submission.rows] == [
        ("7.1", Decimal(60), Decimal(100), 2),
        ("4.1", Decimal(5), Decimal(8), 3),
    ]
    assert submission.rows[0]["unit_name"] == "Sở Khoa học và Công nghệ"
    assert submission.rejected == []


def test_a_bad_cell_rejects_its_row_only_naming_file_unit_row_and_column_in_both_languages():
    content = workbook_bytes([submission_row(unit_code="SNV"),
                              submission_row(unit_code="SNV", component_code="4.1", numerator="năm mươi"),
                              submission_row(unit_code="SNV", component_code="7.3", denominator=-4)])
    submission = read(content, "SNV.xlsx")
    assert [r["component_code"] for r in submission.rows] == ["7.1"]
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
    submission = read(workbook_bytes([submission_row(unit_code="skhcn", period="2026-q3")]))
    assert (submission.rows[0]["unit_code"], submission.rows[0]["period"]) == ("SKHCN", PERIOD)


def test_a_component_code_excel_turned_into_a_number_is_read_as_the_code():
    submission = read(workbook_bytes([submission_row(component_code=7.1)]))
    assert submission.rows[0]["component_code"] == "7.1"


def test_a_formula_whose_result_was_saved_is_read_as_that_result():
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
    assert submissions.parse_number_text(text) == number


def test_a_count_with_thousands_separators_is_read_as_the_count():
    content = workbook_bytes([submission_row(component_code="7.3", numerator="1.234", denominator="12 500")])
    row = read(content).rows[0]
    assert (row["numerator"], row["denominator"]) == (Decimal(1234), Decimal(12500))


@pytest.mark.parametrize(
    "content",
    [
        ";".join(submissions.HEADERS) + "\r\nSKHCN;Sở Khoa học và Công nghệ;2026-Q3;7.1;Dịch vụ công;1.234;2.000;1/BC\r\n",
        ",".join(submissions.HEADERS) + '\r\nSKHCN,Sở Khoa học và Công nghệ,2026-Q3,7.1,"Dịch vụ, công",1234,2000,1/BC\r\n',
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
        ("SNV.xls", b"\xd0\xcf\x11\xe0", ".xls files are not accepted"),
        ("SNV.csv", b"a,b\n1,2\n", 'the column(s) "Mã đơn vị", "Tên đơn vị"'),
        ("SNV.xlsx", workbook_bytes([submission_row()], sheet_name="Sheet1"),
         'sheet "Tự đánh giá" is missing (found: "Sheet1")'),
        ("SNV.xlsx", workbook_bytes([submission_row()], headers=submissions.HEADERS[:-2]),
         'the column(s) "Mẫu số", "Văn bản kiểm chứng" are missing'),
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
