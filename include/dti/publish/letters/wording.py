"""What each letter says, in the layout of Decree 30/2020/NĐ-CP (Appendix I, the official letter:
công văn): one ``Letter`` holds every block of it, and the Word and HTML writers lay out the
same blocks, so both copies of a letter read the same.

The province's Department of Science and Technology writes them as the focal point (issuer blocks
of ``dti.publish.issuer``). The number and the day are left for the clerk who registers the letter;
the signer's name is left for the one who signs. The reply deadline is counted from the later of
the day the letters are published and the period's due date, in working days (Monday to Friday;
public holidays are not known here, the clerk moves a deadline that falls on one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dti.provinces import Province
from dti.publish.formatting import format_vietnam_time
from dti.publish.issuer import ReportIssuer, report_issuer
from dti.publish.letters.feedback import UnitFeedback
from dti.publish.messages import VIETNAMESE

# Set per province in provinces.yml (vars), beside the report's issuer values.
DEFAULTS = {
    # 'Số: …/SKHCN-CĐS': the issuer's abbreviation, then the drafting office's (Digital Transformation).
    "dti_report_letter_symbol": "SKHCN-CĐS",
    "dti_report_letter_reply_working_days": 5,
}
DATE_FORMAT = "%d/%m/%Y"
WHOLE_FILE = "cả tệp"
PROBLEM_COLUMNS = ("STT", "Tệp", "Dòng", "Cột", "Nội dung cần sửa")
URGED_COLUMNS = ("STT", "Đơn vị", "Tình hình", "Ghi chú")
# Units a letter reaches through their People's Committee; every other unit is a provincial agency.
LOCAL_UNIT_TYPES = ("commune", "ward")


@dataclass(frozen=True)
class LetterTable:
    """A table in a letter's body: its header row, its rows, and each column's share of the width."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # fractions of the text width, summing to 1
    centred: tuple[int, ...] = (0,)  # columns read best centred (numbers, short codes); text reads from the left


@dataclass(frozen=True)
class Letter:
    file_stem: str  # 'SNV' for letters/SNV.docx and letters/SNV.html
    title: str  # what the letters' index and the HTML page's title call it
    issuer: ReportIssuer
    number: str  # 'Số: …/SKHCN-CĐS'
    place_and_date: str  # 'Bắc Ninh, ngày … tháng … năm 2026'
    subject: str  # 'V/v …'
    addressees: tuple[str, ...]  # one: 'Kính gửi: X' on one line; more: each on its own line after it
    body: tuple[str | LetterTable, ...]
    recipients: tuple[str, ...]  # 'Nơi nhận:' lines, each ending in ';' and the last in '.'

    @property
    def national_name(self) -> str:
        return VIETNAMESE.text("national_name")

    @property
    def national_motto(self) -> str:
        return VIETNAMESE.text("national_motto")


@dataclass(frozen=True)
class LetterSettings:
    issuer: ReportIssuer
    symbol: str
    reply_working_days: int
    submission_due_days: int  # days after a period's end a self-assessment is due (dti_submission_due_days)

    @property
    def drafting_office(self) -> str:
        """The office that drafts the letters and keeps a copy: the symbol's last part ('CĐS')."""
        return self.symbol.rsplit("-", 1)[-1]


def letter_settings(province: Province) -> LetterSettings:
    values = {**DEFAULTS, **{key: value for key, value in province.dbt_vars.items() if key in DEFAULTS}}
    return LetterSettings(issuer=report_issuer("vi", province), symbol=str(values["dti_report_letter_symbol"]),
                          reply_working_days=int(values["dti_report_letter_reply_working_days"]),
                          submission_due_days=province.submission_due_days)


def reply_deadline(issued_on: date, due_date: date | None, working_days: int) -> date:
    """``working_days`` Monday-to-Friday days after the later of ``issued_on`` and ``due_date``."""
    day = max(issued_on, due_date) if due_date else issued_on
    remaining = working_days
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return day


def addressee(unit: UnitFeedback) -> str:
    """How a letter addresses the unit: a department by its name, a commune or ward by its People's
    Committee ('Xã Hoàng Vân' -> 'Ủy ban nhân dân xã Hoàng Vân')."""
    if unit.unit_type in LOCAL_UNIT_TYPES:
        return f"Ủy ban nhân dân {unit.name_vi[:1].lower()}{unit.name_vi[1:]}"
    return unit.name_vi


def unit_letter(unit: UnitFeedback, settings: LetterSettings, issued_on: date) -> Letter:
    """The letter to one unit about its submission of the period and every problem still open in it."""
    period = unit.period
    to = addressee(unit)
    due = unit.due_date.strftime(DATE_FORMAT) if unit.due_date else "…"
    deadline = reply_deadline(issued_on, unit.due_date, settings.reply_working_days).strftime(DATE_FORMAT)
    must_send = unit.submission_status in ("missing", "rejected") or bool(unit.problems)
    body: list[str | LetterTable] = [
        f"{_mandate(settings)} thông báo kết quả tiếp nhận báo cáo tự đánh giá DTI kỳ {period} của {to} như sau:",
        _submission_paragraph(unit, due),
    ]
    if unit.problems:
        body.append(_problems_paragraph(unit))
        body.append(problems_table(unit))
    if unit.submission_status == "missing":
        body.append(f"Đề nghị {to} khẩn trương hoàn thành báo cáo tự đánh giá theo mẫu và gửi về Sở Khoa học và "
                    f"Công nghệ trước ngày {deadline}. {_scored_zero(period)}")
    elif must_send:
        body.append(f"Đề nghị {to} sửa các nội dung nêu trên ngay trong tệp báo cáo theo mẫu và gửi lại cả tệp về "
                    f"Sở Khoa học và Công nghệ trước ngày {deadline}. Quá thời hạn trên, các nội dung chưa sửa "
                    f"không được tính điểm trong kết quả DTI kỳ {period} của tỉnh.")
    if unit.submission_status == "late":
        body.append(f"{'Đồng thời, đề nghị' if must_send else 'Đề nghị'} {to} rút kinh nghiệm, bảo đảm gửi báo cáo "
                    f"tự đánh giá đúng hạn trong các kỳ tiếp theo (chậm nhất {settings.submission_due_days} ngày "
                    f"sau ngày kết thúc kỳ đánh giá).")
    body.append(f"Kết quả và các chỉ số còn thiếu điểm của đơn vị được nêu tại phiếu kết quả DTI kỳ {period} của "
                f"đơn vị; mọi vướng mắc đề nghị liên hệ Sở Khoa học và Công nghệ để được hướng dẫn.")
    body.append(f"Sở Khoa học và Công nghệ đề nghị {to} quan tâm, phối hợp thực hiện./.")
    return _letter(settings, issued_on, file_stem=unit.unit_code,
                   title=f"Văn bản gửi {unit.name_vi} – kỳ {period}",
                   subject=_unit_subject(unit, must_send), addressees=(to,), body=tuple(body),
                   recipients=("Như trên;", "Giám đốc Sở (để báo cáo);", f"Lưu: VT, {settings.drafting_office}."))


def urging_letter(units: Sequence[UnitFeedback], period: str, settings: LetterSettings, issued_on: date,
                  file_stem: str) -> Letter | None:
    """The summary urging letter (công văn đôn đốc) to every unit that sent late, nothing, or nothing
    usable in ``period``; None when every unit sent in time."""
    urged = [unit for unit in units if unit.is_urged]
    if not urged:
        return None
    due_date = min((unit.due_date for unit in urged if unit.due_date), default=None)
    due = due_date.strftime(DATE_FORMAT) if due_date else "…"
    deadline = reply_deadline(issued_on, due_date, settings.reply_working_days).strftime(DATE_FORMAT)
    count = {status: sum(unit.submission_status == status for unit in urged) for status in
             ("missing", "rejected", "late")}
    local = [unit.unit_type in LOCAL_UNIT_TYPES for unit in urged]
    addressees = [text for text, named in (("Các sở, ban, ngành", not all(local)),
                                           ("Ủy ban nhân dân các xã, phường", any(local))) if named]
    addressees = tuple(f"{text} có tên tại danh sách dưới đây{';' if number < len(addressees) else '.'}"
                       for number, text in enumerate(addressees, start=1))
    body: list[str | LetterTable] = [
        f"{_mandate(settings)} tổng hợp tình hình gửi báo cáo tự đánh giá DTI kỳ {period} (hạn gửi ngày {due}) như "
        f"sau: {count['missing']} đơn vị chưa gửi báo cáo, {count['rejected']} đơn vị đã gửi nhưng không tệp nào "
        f"dùng được để tính điểm, {count['late']} đơn vị gửi chậm; cụ thể:",
        LetterTable(columns=URGED_COLUMNS, widths=(0.08, 0.37, 0.22, 0.33), rows=tuple(
            (str(number), unit.name_vi, VIETNAMESE.label("submission_status", unit.submission_status),
             _urged_note(unit)) for number, unit in enumerate(urged, start=1))),
        f"Đề nghị các đơn vị chưa gửi báo cáo hoặc có tệp không dùng được khẩn trương hoàn thành, gửi báo cáo tự "
        f"đánh giá theo mẫu về Sở Khoa học và Công nghệ trước ngày {deadline}; các đơn vị gửi chậm rút kinh nghiệm, "
        f"bảo đảm gửi đúng hạn trong các kỳ tiếp theo. {_scored_zero(period)}",
        "Nội dung cần sửa của từng đơn vị (tệp, dòng, cột và cách ghi) được nêu tại văn bản Sở Khoa học và Công "
        "nghệ gửi riêng từng đơn vị.",
        "Sở Khoa học và Công nghệ đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.",
    ]
    return _letter(settings, issued_on, file_stem=file_stem, title=f"Công văn đôn đốc các đơn vị – kỳ {period}",
                   subject=f"V/v đôn đốc gửi báo cáo tự đánh giá Chỉ số chuyển đổi số (DTI) kỳ {period}",
                   addressees=addressees, body=tuple(body),
                   recipients=("Như trên;", f"UBND {settings.issuer.province} (để báo cáo);",
                               "Giám đốc Sở (để báo cáo);", f"Lưu: VT, {settings.drafting_office}."))


def problems_table(unit: UnitFeedback) -> LetterTable:
    return LetterTable(columns=PROBLEM_COLUMNS, widths=(0.08, 0.2, 0.09, 0.14, 0.49), centred=(0, 2, 3), rows=tuple(
        (str(number), problem.file_name,
         WHOLE_FILE if problem.is_whole_file else str(problem.row_number),
         problem.column_header or "–", problem.what_to_write)
        for number, problem in enumerate(unit.problems, start=1)))


def _letter(settings: LetterSettings, issued_on: date, **content) -> Letter:
    """A letter of ``content`` with the issuer's blocks; its number and day are left for the clerk."""
    issuer = settings.issuer
    return Letter(issuer=issuer, number=VIETNAMESE.text("document_number", symbol=settings.symbol),
                  place_and_date=VIETNAMESE.text("place_and_date", place=issuer.place, year=issued_on.year),
                  **content)


def _mandate(settings: LetterSettings) -> str:
    """Why the Department writes (the Provincial People's Committee made it the DTI's focal point),
    leading into what it does: '…, Sở Khoa học và Công nghệ'."""
    return (f"Thực hiện nhiệm vụ Ủy ban nhân dân {settings.issuer.province} giao Sở Khoa học và Công nghệ làm cơ "
            f"quan đầu mối hướng dẫn, đôn đốc, kiểm tra, thu thập số liệu và tổng hợp kết quả đánh giá Chỉ số chuyển "
            f"đổi số (DTI), Sở Khoa học và Công nghệ")


def _scored_zero(period: str) -> str:
    return (f"Quá thời hạn trên, các chỉ số thuộc trách nhiệm của đơn vị không có số liệu được tính 0 điểm trong "
            f"kết quả DTI kỳ {period} của tỉnh.")


def _unit_subject(unit: UnitFeedback, must_send: bool) -> str:
    about = f"báo cáo tự đánh giá Chỉ số chuyển đổi số (DTI) kỳ {unit.period}"
    if unit.submission_status == "missing":
        return f"V/v đôn đốc gửi {about}"
    if unit.submission_status == "rejected":
        return f"V/v đề nghị sửa và gửi lại {about}"
    if must_send:
        return f"V/v đề nghị sửa số liệu {about}"
    return f"V/v việc gửi chậm {about}"


def _submission_paragraph(unit: UnitFeedback, due: str) -> str:
    if unit.submission_status == "missing":
        return (f"Đến ngày lập văn bản này, Sở Khoa học và Công nghệ chưa nhận được báo cáo tự đánh giá của đơn vị "
                f"(hạn gửi ngày {due}); các chỉ số thuộc trách nhiệm của đơn vị đang được tính 0 điểm.")
    if unit.submission_status == "rejected":
        return (f"Đơn vị đã gửi {unit.files_received} tệp (hạn gửi ngày {due}) nhưng không tệp nào dùng được để "
                f"tính điểm; các chỉ số thuộc trách nhiệm của đơn vị đang được tính 0 điểm.")
    received = format_vietnam_time(unit.first_accepted_at) if unit.first_accepted_at else "…"
    in_use = f" Tệp đang được dùng để tính điểm: {unit.file_in_use}." if unit.file_in_use else ""
    if unit.submission_status == "late":
        return f"Báo cáo của đơn vị được nhận lúc {received}, sau hạn gửi ngày {due}.{in_use}"
    return f"Báo cáo của đơn vị được nhận đúng hạn: hạn gửi ngày {due}, nhận lúc {received}.{in_use}"


def _problems_paragraph(unit: UnitFeedback) -> str:
    parts = []
    if unit.files_to_send_again:
        parts.append(f"{unit.files_to_send_again} tệp không dùng được")
    if unit.rows_to_fix:
        parts.append(f"{unit.rows_to_fix} dòng số liệu chưa được tính điểm")
    found = " và ".join(parts) or f"{len(unit.problems)} nội dung"
    return (f"Qua kiểm tra, Sở Khoa học và Công nghệ nhận thấy {found}; cụ thể từng tệp, dòng, cột và nội dung cần "
            f"sửa như sau:")


def _urged_note(unit: UnitFeedback) -> str:
    if unit.submission_status == "missing":
        return "Chưa gửi báo cáo"
    if unit.submission_status == "rejected":
        return f"{unit.files_rejected} tệp không dùng được; xem văn bản gửi riêng đơn vị"
    received = format_vietnam_time(unit.first_accepted_at) if unit.first_accepted_at else "…"
    return f"Nhận lúc {received}"
