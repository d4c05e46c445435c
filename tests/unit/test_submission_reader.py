"""The submission reader names the file, row and column of every problem it refuses."""

import os
import zipfile
from decimal import Decimal
from io import BytesIO

import pytest

from dti.sources import submissions
from tests.helpers import submission_row, workbook_bytes

LIMIT = 1_000_000


def _zip_without_workbook() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bao-cao.txt", "không phải bảng tính")
    return buffer.getvalue()


def test_a_good_workbook_is_read_row_by_row_with_spreadsheet_row_numbers():
    content = workbook_bytes([submission_row(component_code="7.1"), submission_row(component_code="4.1", numerator=5, denominator=8)])
    submission = submissions.read_submission(content, "SKHCN.xlsx", LIMIT)
    assert (submission.unit_code, submission.period) == ("SKHCN", "2026-Q3")
    assert [(r["component_code"], r["numerator"], r["denominator"], r["_row_number"]) for r in submission.rows] == [
        ("7.1", Decimal(60), Decimal(100), 2),
        ("4.1", Decimal(5), Decimal(8), 3),
    ]
    assert submission.rows[0]["unit_name"] == "Sở Khoa học và Công nghệ"
    assert submission.rejected == []


def test_a_bad_cell_rejects_its_row_only_naming_row_and_column():
    content = workbook_bytes([submission_row(), submission_row(component_code="4.1", numerator="năm mươi"),
                              submission_row(component_code="7.3", denominator=-4)])
    submission = submissions.read_submission(content, "SKHCN.xlsx", LIMIT)
    assert [r["component_code"] for r in submission.rows] == ["7.1"]
    assert [(r.row_number, r.column_name, r.raw_value) for r in submission.rejected] == [
        (3, "numerator", "năm mươi"), (4, "denominator", "-4"),
    ]
    assert "expected a number" in submission.rejected[0].reason
    assert "negative" in submission.rejected[1].reason


def test_an_empty_required_cell_is_named_by_its_vietnamese_header():
    content = workbook_bytes([submission_row(), submission_row(component_code=None)])
    submission = submissions.read_submission(content, "SKHCN.xlsx", LIMIT)
    (rejected,) = submission.rejected
    assert (rejected.row_number, rejected.column_name) == (3, "component_code")
    assert "Mã chỉ số" in rejected.reason


@pytest.mark.parametrize(
    ("file_name", "content", "reason"),
    [
        ("SNV.xlsx", b"", "empty"),
        ("SNV.xlsx", b"PK\x03\x04" + b"\x00" * 300, "not a valid .xlsx"),
        ("SNV.xlsx", _zip_without_workbook(), "cannot be opened"),
        ("SNV.xlsx", b"Ma don vi;Ky\nSNV;2026-Q3\n", "not a valid .xlsx"),
        ("SNV.csv", b"a,b\n", "not an .xlsx workbook"),
        ("SNV.xlsx", workbook_bytes([submission_row()], sheet_name="Sheet1"), "sheet 'Tự đánh giá' is missing"),
        ("SNV.xlsx", workbook_bytes([submission_row()], headers=submissions.HEADERS[:-2]), "Mẫu số, Văn bản kiểm chứng"),
        ("SNV.xlsx", workbook_bytes([]), "no usable indicator row"),
        ("SNV.xlsx", workbook_bytes([submission_row(unit_code="SNV"), submission_row(unit_code="STP")]), "one unit"),
    ],
)
def test_an_unusable_file_is_refused_with_a_reason_naming_it(file_name, content, reason):
    with pytest.raises(submissions.UnreadableSubmission) as refused:
        submissions.read_submission(content, file_name, LIMIT)
    assert file_name in str(refused.value)
    assert reason in str(refused.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened():
    content = workbook_bytes([submission_row()])
    with pytest.raises(submissions.UnreadableSubmission, match="over the 100-byte limit"):
        submissions.read_submission(content, "SNV.xlsx", 100)


def test_find_submissions_lists_the_period_inbox_oldest_first_and_skips_lock_files(tmp_path):
    folder = tmp_path / "2026-Q3"
    folder.mkdir()
    for name, mtime in (("B.xlsx", 200), ("A.xlsx", 100), ("~$A.xlsx", 50), (".hidden", 10)):
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, ns=(mtime * 10**9, mtime * 10**9))
    assert [p.name for p in submissions.find_submissions(tmp_path, "2026-Q3")] == ["A.xlsx", "B.xlsx"]
    assert submissions.find_submissions(tmp_path, "2026-Q4") == []
