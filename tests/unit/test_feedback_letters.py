"""Feedback letters rendered from hand-made rows: every element of the Decree 30 layout in both
copies, each problem with its file, row, column and what to write (the Vietnamese half of its
reason), a unit's name kept as text, no letter for a unit with nothing to say, the urging letter
to the late, missing and rejected, and the .docx read back by python-docx."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, UTC
from io import BytesIO

import docx
import lxml.html
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from dti.publish.letters import LETTERS_INDEX, render_feedback_letters
from dti.publish.letters.feedback import FeedbackProblem, UnitFeedback, reason_in_vietnamese
from dti.publish.letters.wording import PROBLEM_COLUMNS, reply_deadline
from dti.publish.messages import SUBMISSION_COLUMN_HEADERS
from dti.publish.portal import publish_portal, read_portal
from dti.publication import write_publication_atomically
from dti.sources.submissions import COLUMNS
from tests.helpers import PROVINCE

PERIOD = "2026-Q3"
DUE = date(2026, 10, 10)
# Tuesday 8 December 2026, 08:00 in Vietnam: five working days later is Tuesday 15 December.
GENERATED_AT = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
DEADLINE = "15/12/2026"
VALUE_REASON = ('SNV.xlsx · đơn vị SNV · dòng 12 · cột "Giá trị": ghi "Có" / "Không" hoặc tỷ lệ phần trăm / '
                'SNV.xlsx · unit SNV · row 12 · column "Giá trị": write "Có" / "Không" or a percentage')
NUMERATOR_REASON = ('SNV.xlsx · đơn vị SNV · dòng 14 · cột "Tử số": tử số lớn hơn mẫu số; kiểm tra lại số liệu / '
                    'SNV.xlsx · unit SNV · row 14 · column "Tử số": the numerator exceeds the denominator')
FILE_REASON = ('SCT-v2.xlsx · đơn vị SCT: thiếu cột "Mã chỉ số"; dùng nguyên dòng tiêu đề của mẫu / '
               'SCT-v2.xlsx · unit SCT: the column(s) "Mã chỉ số" are missing')


def unit(code: str, name: str, status: str, unit_type: str = "department", problems=(), **values) -> UnitFeedback:
    fields = {"first_accepted_at": None, "file_in_use": None, "files_received": 0, "files_rejected": 0,
              "files_to_send_again": 0, "rows_to_fix": 0, **values}
    return UnitFeedback(period=PERIOD, unit_code=code, name_vi=name, unit_type=unit_type, submission_status=status,
                        due_date=DUE, problems=tuple(problems), **fields)


ROWS_SET_ASIDE = unit("SNV", "Sở Nội vụ", "on_time", file_in_use="SNV.xlsx", files_received=1, rows_to_fix=2,
                      first_accepted_at=datetime(2026, 10, 3, 2, 30, tzinfo=UTC), problems=[
                          FeedbackProblem("SNV.xlsx", 12, "reported_value", VALUE_REASON),
                          FeedbackProblem("SNV.xlsx", 14, "numerator", NUMERATOR_REASON)])
REJECTED = unit("SCT", "Sở Công Thương", "rejected", files_received=1, files_rejected=1, files_to_send_again=1,
                problems=[FeedbackProblem("SCT-v2.xlsx", None, None, FILE_REASON)])
MISSING = unit("W26881", 'Phường <script>alert("x")</script> & Co', "missing", unit_type="ward")
LATE = unit("X07822", "Xã Hoàng Vân", "late", unit_type="commune", file_in_use="X07822.xlsx", files_received=1,
            first_accepted_at=datetime(2026, 10, 20, 3, 0, tzinfo=UTC))
ON_TIME = unit("STC", "Sở Tài chính", "on_time", file_in_use="STC.xlsx", files_received=1,
               first_accepted_at=datetime(2026, 10, 2, 3, 0, tzinfo=UTC))
UNITS = [MISSING, REJECTED, LATE, ROWS_SET_ASIDE, ON_TIME]


@pytest.fixture(scope="module")
def letters():
    return render_feedback_letters(PERIOD, UNITS, PROVINCE, GENERATED_AT)


def html_of(letters, stem: str) -> str:
    return letters.files[f"letters/{stem}.html"].decode("utf-8")


def docx_of(letters, stem: str) -> docx.document.Document:
    return docx.Document(BytesIO(letters.files[f"letters/{stem}.docx"]))


def document_text(document) -> str:
    """Every paragraph of the document, its tables' cells included, one per line."""
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def test_each_unit_with_something_to_fix_gets_a_letter_in_both_copies_and_the_on_time_unit_none(letters):
    stems = {"W26881", "SCT", "X07822", "SNV", "don-doc"}
    assert set(letters.files) == {f"letters/{stem}.{kind}" for stem in stems for kind in ("html", "docx")} | {
        LETTERS_INDEX}
    assert set(letters.of_units) == {"W26881", "SCT", "X07822", "SNV"}
    assert letters.of_units["SNV"].html == "letters/SNV.html" and letters.of_units["SNV"].docx == "letters/SNV.docx"
    index = letters.files[LETTERS_INDEX].decode("utf-8")
    assert 'href="SNV.html"' in index and 'href="SNV.docx"' in index and 'href="don-doc.docx"' in index
    assert 'href="../units/SNV.html"' in index and "STC" not in index


@pytest.mark.parametrize("copy", ["html", "docx"])
def test_a_letter_has_every_element_of_the_decree_30_layout(letters, copy):
    text = html_of(letters, "SNV") if copy == "html" else document_text(docx_of(letters, "SNV"))

    for element in ("UBND TỈNH BẮC NINH", "SỞ KHOA HỌC VÀ CÔNG NGHỆ",  # issuer
                    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",  # national motto
                    "Số: …/SKHCN-CĐS",  # number, left for the clerk
                    "Bắc Ninh, ngày … tháng … năm 2026",  # place and date
                    "V/v đề nghị sửa số liệu báo cáo tự đánh giá Chỉ số chuyển đổi số (DTI) kỳ 2026-Q3",  # subject
                    "Kính gửi: Sở Nội vụ",
                    f"trước ngày {DEADLINE}",  # the deadline
                    "Nơi nhận:", "Như trên;", "Lưu: VT, CĐS.",  # recipients
                    "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",  # signature block
                    "phối hợp thực hiện./."):
        assert element in text, element


@pytest.mark.parametrize("copy", ["html", "docx"])
def test_each_problem_is_listed_with_its_file_row_column_and_what_to_write_in_vietnamese(letters, copy):
    if copy == "html":
        table = lxml.html.fromstring(html_of(letters, "SNV")).xpath("//table[@class='problems']")[0]
        assert [cell.text_content() for cell in table.xpath("thead//th")] == list(PROBLEM_COLUMNS)
        rows = [[cell.text_content() for cell in row.xpath("td")] for row in table.xpath("tbody/tr")]
    else:
        problems = docx_of(letters, "SNV").tables[1]
        assert [cell.text for cell in problems.rows[0].cells] == list(PROBLEM_COLUMNS)
        rows = [[cell.text for cell in row.cells] for row in problems.rows[1:]]

    assert rows == [
        ["1", "SNV.xlsx", "12", "Giá trị", 'Ghi "Có" / "Không" hoặc tỷ lệ phần trăm'],
        ["2", "SNV.xlsx", "14", "Tử số", "Tử số lớn hơn mẫu số; kiểm tra lại số liệu"],
    ]


def test_a_file_set_aside_whole_is_listed_as_the_whole_file(letters):
    [row] = [[cell.text for cell in row.cells] for row in docx_of(letters, "SCT").tables[1].rows[1:]]
    assert row == ["1", "SCT-v2.xlsx", "cả tệp", "–", 'Thiếu cột "Mã chỉ số"; dùng nguyên dòng tiêu đề của mẫu']
    assert "missing" not in document_text(docx_of(letters, "SCT"))  # no English half


def test_each_status_says_what_happened_and_what_to_do(letters):
    missing, late = document_text(docx_of(letters, "W26881")), document_text(docx_of(letters, "X07822"))
    assert "chưa nhận được báo cáo tự đánh giá của đơn vị (hạn gửi ngày 10/10/2026)" in missing
    assert f"gửi về Sở Khoa học và Công nghệ trước ngày {DEADLINE}" in missing
    assert "V/v đôn đốc gửi báo cáo tự đánh giá" in missing
    assert "nhận lúc 10:00 ngày 20/10/2026 (giờ Việt Nam), sau hạn gửi ngày 10/10/2026" in late
    assert "nhận đúng hạn: hạn gửi ngày 10/10/2026, nhận lúc 09:30 ngày 03/10/2026 (giờ Việt Nam)" in document_text(
        docx_of(letters, "SNV"))
    assert "Kính gửi: Ủy ban nhân dân xã Hoàng Vân" in late
    assert "rút kinh nghiệm" in late and "trước ngày" not in late and len(docx_of(letters, "X07822").tables) == 2


def test_a_units_name_is_text_in_both_copies(letters):
    html = html_of(letters, "W26881")
    assert "<script>" not in html
    assert "Kính gửi: Ủy ban nhân dân phường &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert 'Kính gửi: Ủy ban nhân dân phường <script>alert("x")</script> & Co' in document_text(
        docx_of(letters, "W26881"))
    with zipfile.ZipFile(BytesIO(letters.files["letters/W26881.docx"])) as package:
        assert "&lt;script&gt;" in package.read("word/document.xml").decode("utf-8")


def test_the_docx_is_a4_portrait_times_new_roman_with_the_decrees_margins(letters):
    document = docx_of(letters, "SNV")
    section = document.sections[0]
    # Word keeps lengths in twentieths of a point: read back to the tenth of a millimetre.
    assert [round(length.mm, 1) for length in (section.page_width, section.page_height)] == [210, 297]
    assert [round(length.mm, 1) for length in (section.top_margin, section.bottom_margin, section.left_margin,
                                                section.right_margin)] == [20, 20, 30, 15]
    assert section.orientation == WD_ORIENT.PORTRAIT
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size == Pt(14)
    body = [paragraph for paragraph in document.paragraphs if paragraph.text.startswith("Thực hiện nhiệm vụ")]
    assert body and body[0].alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body[0].paragraph_format.first_line_indent == Mm(12.7)
    national = document.tables[0].rows[0].cells[1].paragraphs
    assert national[0].runs[0].bold and national[0].runs[0].font.size == Pt(12)
    assert national[1].runs[0].bold and national[1].runs[0].underline
    assert national[2].runs[0].italic
    assert document.core_properties.title.startswith("V/v ")


def test_the_urging_letter_names_every_late_missing_and_rejected_unit(letters):
    document = docx_of(letters, "don-doc")
    text = document_text(document)
    [urged] = [table for table in document.tables if table.rows[0].cells[0].text == "STT"]
    names = [row.cells[1].text for row in urged.rows[1:]]

    assert names == [MISSING.name_vi, "Sở Công Thương", "Xã Hoàng Vân"]
    assert "V/v đôn đốc gửi báo cáo tự đánh giá Chỉ số chuyển đổi số (DTI) kỳ 2026-Q3" in text
    assert "Kính gửi:" in text and "- Các sở, ban, ngành có tên tại danh sách dưới đây;" in text
    assert "- Ủy ban nhân dân các xã, phường có tên tại danh sách dưới đây." in text
    assert "1 đơn vị chưa gửi báo cáo, 1 đơn vị đã gửi nhưng không tệp nào dùng được để tính điểm, 1 đơn vị gửi chậm" \
        in text
    assert f"trước ngày {DEADLINE}" in text and "UBND tỉnh Bắc Ninh (để báo cáo);" in text
    assert "Sở Nội vụ" not in text and "Sở Tài chính" not in text
    assert "&lt;script&gt;" in html_of(letters, "don-doc")


def test_no_urging_letter_when_nobody_is_late_missing_or_rejected():
    letters = render_feedback_letters(PERIOD, [ROWS_SET_ASIDE, ON_TIME], PROVINCE, GENERATED_AT)

    assert set(letters.files) == {"letters/SNV.html", "letters/SNV.docx", LETTERS_INDEX}
    assert letters.urging is None
    assert "không có công văn đôn đốc" in letters.files[LETTERS_INDEX].decode("utf-8")


def test_the_vietnamese_half_of_a_reason_is_found_where_the_file_is_named_again():
    assert reason_in_vietnamese(VALUE_REASON, "SNV.xlsx") == (
        'SNV.xlsx · đơn vị SNV · dòng 12 · cột "Giá trị": ghi "Có" / "Không" hoặc tỷ lệ phần trăm')
    one_language = "SNV.xlsx: expect_column_values_to_be_between (rows 3, 4)"
    assert reason_in_vietnamese(one_language, "SNV.xlsx") == one_language


@pytest.mark.parametrize(("issued_on", "due_date", "expected"), [
    (date(2026, 12, 8), DUE, date(2026, 12, 15)),  # Tuesday: the next Tuesday
    (date(2026, 12, 11), DUE, date(2026, 12, 18)),  # Friday: over one weekend
    (date(2026, 12, 12), DUE, date(2026, 12, 18)),  # issued on a Saturday
    (date(2026, 10, 2), DUE, date(2026, 10, 16)),  # before the due date (a Saturday): counted from it
])
def test_the_reply_deadline_counts_working_days(issued_on, due_date, expected):
    assert reply_deadline(issued_on, due_date, 5) == expected


def test_the_letters_name_the_columns_as_the_units_template_heads_them():
    assert {column: header for header, column in COLUMNS.items()} == SUBMISSION_COLUMN_HEADERS


def test_the_portal_links_the_letters_of_the_latest_and_each_period(tmp_path):
    write_publication_atomically(tmp_path, "2026-Q2", "run-1", {"index.html": b"q2"})
    write_publication_atomically(tmp_path, PERIOD, "run-2", {"index.html": b"q3", LETTERS_INDEX: b"letters"})
    portal = read_portal(tmp_path)

    assert portal.latest.letters == "reports/latest/letters/index.html"
    assert [period.letters for period in portal.periods] == ["reports/2026-Q3/letters/index.html", None]
    html = publish_portal(tmp_path, PROVINCE).read_text(encoding="utf-8")
    assert 'href="reports/latest/letters/index.html"' in html and 'href="reports/2026-Q3/letters/index.html"' in html
