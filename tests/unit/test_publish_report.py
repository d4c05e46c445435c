"""The published report: what it shows, and that publishing never leaves a half-written report."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import date, datetime, UTC
from decimal import Decimal
from pathlib import Path

import pytest

from dti import publication
from dti.publish import charts, report
from dti.publication import write_publication_atomically
from dti.publish.issuer import report_issuer
from dti.publish.messages import ENGLISH, VIETNAMESE
from dti.publish.marts import mart_rows
from dti.publish.report import publish_report, render_report_html, render_report_pages
from dti.publish.report_data import (
    AwaitedComponent,
    DataSource,
    DtiCoverage,
    ImprovementLever,
    MainIndexValue,
    NoDataComponent,
    PeerRank,
    QuarantinedFile,
    ReportData,
    ReportDataMissing,
    SuiteValidation,
    TargetProgress,
    UnitScore,
    UnitToUrge,
    load_report_data,
)
from tests.helpers import PROVINCE

PERIOD = "2026-Q3"
HOSTILE_NAME = '<script>alert("x")</script>'


def unit(code, name_vi, unit_type, status, rank, dti_score, grade_vi="Khá", dti_change=None, missing=0):
    ranking_group = "department" if unit_type == "department" else "commune"
    return UnitScore(code, name_vi, unit_type, ranking_group, status, rank, dti_score, grade_vi, dti_change, 12,
                     missing)


def target(code, name_vi, kind, target_value, actual, gap, is_met, previous=None, comparison="at_least"):
    change = None if actual is None or previous is None else actual - previous
    return TargetProgress(code, name_vi, kind, comparison, target_value, actual, gap, is_met, previous, change)


TARGETS = (
    target("dti_score", "Chỉ số chuyển đổi số (DTI) của tỉnh đạt từ 0,75 trở lên", "dti", 0.75, 0.61234, 0.13766,
           False, 0.59),
    target("national_rank", "Tỉnh thuộc nhóm 10 địa phương dẫn đầu cả nước về DTI", "rank", 10, 14, 4, False, 17,
           comparison="at_most"),
    target("data_center_standard", "Trung tâm dữ liệu của tỉnh đạt chuẩn", "yes_no", 1, 0, 1, False, 0),
    target("digitized_procedures", "100% thủ tục hành chính đủ điều kiện được số hóa", "rate", 1.0, None, None, None),
    target("full_process_online_services", "Tỷ lệ dịch vụ công trực tuyến toàn trình đạt từ 60% trở lên", "rate", 0.6,
           0.553, 0.047, False, 0.541),
    target("personal_digital_signatures", "Tỷ lệ người trưởng thành sử dụng chữ ký số cá nhân đạt từ 30% trở lên",
           "rate", 0.3, 0.3125, 0, True),
)

LEVERS = (
    ImprovementLever(1, "7.2", "Tỷ lệ hồ sơ nộp trực tuyến toàn trình", "Hoạt động chính quyền số", "all",
                     (), 42.5, 0.0425, True),
    ImprovementLever(2, "3.1", "Trung tâm dữ liệu của tỉnh đạt chuẩn", "Hạ tầng số", "focal_point",
                     ("Sở Khoa học và Công nghệ",), 50, 0.05, True),
    ImprovementLever(6, "9.1", "Tỷ lệ người trưởng thành có chữ ký số cá nhân", "Hoạt động xã hội số",
                     "province_systems", (), 22.5, 0.0225, True),
)


def make_report_data(**changes) -> ReportData:
    data = ReportData(
        period=PERIOD,
        run_id="manual__2026-10-01T00:00:00+00:00",
        generated_at=datetime(2026, 10, 1, 3, 0, tzinfo=UTC),
        province_dti_score=0.61234,
        province_points=612.34,
        province_max_points=1000,
        province_grade_vi="Trung bình",
        previous_period="2026-Q2",
        previous_dti_score=0.59,
        dti_change=0.02234,
        main_indices=(
            MainIndexValue(1, "awareness", "Nhận thức số", "foundation", 80.5, 100, 0.805),
            MainIndexValue(6, "smart_city", "Đô thị thông minh", "foundation", 0, 0, None),
            MainIndexValue(7, "digital_government", "Hoạt động chính quyền số", "activity", 150, 200, 0.75),
        ),
        targets=TARGETS,
        peer_rank=PeerRank(compared_year=2024, peers_with_score=11, estimated_rank=14, worst_case_rank=19,
                           tenth_place_score=0.6511, gap_to_top10=0.03876, in_top10=False),
        levers=LEVERS,
        units=(
            unit("SKHCN", "Sở Khoa học và Công nghệ", "department", "on_time", 1, 0.8123, "Tốt", 0.0123),
            unit("SNV", "Sở Nội vụ", "department", "late", 2, 0.655, "Khá"),
            unit("X10001", "Xã Tiên Du", "commune", "missing", 3, 0, "Kém", missing=12),
            unit("P07228", "Phường Đa Mai", "ward", "on_time", 1, 0.70005, "Khá", -0.01),
            unit("X07246", "Xã Yên Dũng", "commune", "rejected", 2, 0, "Kém", missing=12),
        ),
        units_to_urge=(
            UnitToUrge("X10001", "Xã Tiên Du", "missing", date(2026, 10, 15), None, 0, None),
            UnitToUrge("X07246", "Xã Yên Dũng", "rejected", date(2026, 10, 15), None, 2,
                       "X07246_a.xlsx: thiếu trang tính 'Tự đánh giá'\nX07246_b.xlsx: không phải tệp .xlsx"),
            UnitToUrge("SNV", "Sở Nội vụ", "late", date(2026, 10, 15),
                       datetime(2026, 10, 16, 2, 30, tzinfo=UTC), 0, None),
        ),
        legal_document="Quyết định 922/QĐ-BTTTT ngày 20/5/2022",
        quarantined=(QuarantinedFile("P07228_2026-Q3.xlsx", "thiếu cột 'Tử số' ở dòng 12"),),
        province_grade_en="Average",
        framework_version="922",
        framework_name_vi="Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh giai đoạn 2021–2023",
        framework_name_en="Provincial Digital Transformation Index 2021–2023",
        validations=(
            SuiteValidation("marts_dti", 1, 1, 27, 0),
            SuiteValidation("raw_submissions", 6, 5, 84, 3),
        ),
        sources=(
            DataSource("procedure_system", 12, datetime(2026, 9, 30, 1, 15, tzinfo=UTC)),
            DataSource("unit_reports", 4, datetime(2026, 9, 29, 8, 0, tzinfo=UTC)),
        ),
    )
    return replace(data, **changes)


def element_text(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', html, re.DOTALL)
    assert match, f"no element with id {element_id!r}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(2))).strip()


def table_row_containing(html: str, text: str) -> str:
    rows = [row for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.DOTALL) if text in row]
    assert len(rows) == 1, f"expected one table row with {text!r}, found {len(rows)}"
    return rows[0]


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>.*?</td>", row, re.DOTALL)]


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"')[1].split("<section")[0].split("</section>")[0]


def block_text(html: str, element_id: str, end: str) -> str:
    """The text from the element ``element_id`` to ``end``, for blocks holding nested elements of their kind."""
    block = re.sub(r"<[^>]*$", "", html.split(f'id="{element_id}"')[1].split(end)[0])
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block.split(">", 1)[1])).strip()


# --- rendering ---------------------------------------------------------------------------------


def test_province_dti_is_shown_with_four_decimals_grade_and_change():
    html = render_report_html(make_report_data(province_dti_score=0.61236), PROVINCE)

    assert element_text(html, "province-dti") == "0.6124"
    assert element_text(html, "province-grade") == "Xếp loại (thang của tỉnh): Trung bình"
    assert element_text(html, "province-change") == "So với kỳ 2026-Q2 (0.5900): +0.0223"
    assert "Tổng điểm đạt: <strong>612,34</strong> / 1.000 điểm" in html


ESTIMATE = DtiCoverage(official_component_count=47, components_measured=26, components_official=0,
                       components_proxy=26, components_awaiting=1, dti_lowest=0.40312, dti_highest=0.87654,
                       is_estimate=True, counts_per_main_index_verified=False, pillar_government=0.71234,
                       pillar_economy=0.65, pillar_society=0.6)


def test_an_estimate_says_so_with_its_coverage_range_rank_range_and_pillars():
    data = make_report_data(
        coverage=ESTIMATE,
        peer_rank=replace(make_report_data().peer_rank, rank_range_best=3, rank_range_worst=41),
        awaited_components=(AwaitedComponent("8.4", "Tỷ lệ người dân hài lòng khi sử dụng dịch vụ số"),),
    )
    html = render_report_html(data, PROVINCE)

    assert element_text(html, "province-estimate") == "(ước tính)"
    assert element_text(html, "province-range") == "Khoảng giá trị: 0.4031 – 0.8765"
    assert element_text(html, "province-coverage") == (
        "Đo được 26/47 chỉ số thành phần của bộ chỉ số chính thức: 0 theo định nghĩa chính thức, "
        "26 theo chỉ số thay thế của tỉnh; 1 chỉ số chờ Bộ đánh giá")
    assert element_text(html, "province-rank-range") == "Thứ hạng ước tính trong cả nước: 3–41"
    assert element_text(html, "province-pillars") == (
        "Trụ cột: chính quyền số 0.7123 · kinh tế số 0.6500 · xã hội số 0.6000")
    assert element_text(html, "awaited-components") == "8.4 Tỷ lệ người dân hài lòng khi sử dụng dịch vụ số"
    # the points earned leave the awaited component out, and say so beside the estimate
    assert element_text(html, "province-points").startswith("Tổng điểm đạt: 612,34 / 1.000 điểm, chưa kể 1 chỉ số")
    methodology = element_text(html, "methodology-estimate")
    assert "47 chỉ số thành phần" in methodology and "giả định" in methodology
    assert "chỉ tổng số 47" in methodology  # 405's count per main index is not verified


def test_the_english_estimate_carries_the_same_figures():
    data = make_report_data(coverage=ESTIMATE,
                            peer_rank=replace(make_report_data().peer_rank, rank_range_best=3, rank_range_worst=41))
    html = render_report_html(data, PROVINCE, ENGLISH)

    assert element_text(html, "province-estimate") == "(estimate)"
    assert element_text(html, "province-range") == "Range: 0.4031 – 0.8765"
    assert element_text(html, "province-coverage").startswith("Measured 26 of 47 components of the official framework")
    assert element_text(html, "province-rank-range") == "Estimated national rank: 3–41"


def test_a_dti_measured_in_full_by_official_definitions_is_no_estimate():
    complete = replace(ESTIMATE, components_measured=47, components_official=47, components_proxy=0,
                       components_awaiting=0, dti_lowest=0.61234, dti_highest=0.61234, is_estimate=False)
    html = render_report_html(make_report_data(coverage=complete), PROVINCE)

    assert 'id="province-estimate"' not in html and 'id="province-range"' not in html
    assert element_text(html, "province-coverage") == "Đo được đủ 47/47 chỉ số thành phần theo định nghĩa chính thức."


def test_main_indices_show_components_measured_and_their_range():
    data = make_report_data(main_indices=(
        MainIndexValue(1, "awareness", "Nhận thức số", "foundation", 80.5, 100, 0.805, official_component_count=10,
                       components_measured=4, value_lowest=0.322, value_highest=0.922),
    ))
    html = render_report_html(data, PROVINCE)

    assert cells(table_row_containing(html, "Nhận thức số"))[-2:] == ["4/10", "0.3220 – 0.9220"]


def test_first_scored_period_says_there_is_nothing_to_compare_with():
    html = render_report_html(make_report_data(previous_period=None, previous_dti_score=None, dti_change=None),
                              PROVINCE)

    assert element_text(html, "province-change") == "Chưa có kỳ trước để so sánh."


def test_report_is_vietnamese_with_title_naming_the_period():
    html = render_report_html(make_report_data(), PROVINCE)

    assert '<html lang="vi">' in html
    assert "<title>Báo cáo kết quả Chỉ số chuyển đổi số (DTI) tỉnh Bắc Ninh – kỳ 2026-Q3</title>" in html
    assert element_text(html, "document-title") == "BÁO CÁO Kết quả đánh giá chỉ số chuyển đổi số (DTI) kỳ 2026-Q3"


def test_header_follows_decree_30_with_issuer_left_and_national_motto_right():
    html = render_report_html(make_report_data(), PROVINCE)

    header = html.split("<header>")[1].split("</header>")[0]
    assert header.index('id="issuer"') < header.index('id="national-motto"') < header.index('id="document-title"')
    assert block_text(html, "issuer", 'id="national-motto"') == (
        "UBND TỈNH BẮC NINH SỞ KHOA HỌC VÀ CÔNG NGHỆ Số: …/BC-SKHCN")
    assert block_text(html, "national-motto", 'id="document-title"') == (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc Bắc Ninh, ngày … tháng … năm 2026")


def test_report_closes_with_recipients_and_the_signature_block():
    html = render_report_html(make_report_data(), PROVINCE)

    recipients = block_text(html, "recipients", 'id="signature"')
    assert recipients.startswith("Nơi nhận: UBND tỉnh (để báo cáo); Bộ Khoa học và Công nghệ (để báo cáo);")
    assert recipients.endswith("Lưu: VT, CĐS.")
    assert block_text(html, "signature", "</footer>") == "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC (Ký, ghi rõ họ tên)"
    assert html.index('id="recipients"') > html.index('id="methodology"')


def test_issuer_and_signer_come_from_the_province_vars():
    province = replace(PROVINCE, dbt_vars={
        **PROVINCE.dbt_vars, "dti_report_issuing_body_vi": "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "dti_report_symbol": "BC-STTTT", "dti_report_signer_authority_vi": "GIÁM ĐỐC", "dti_report_signer_title_vi": "",
        "dti_report_signer_name": "Nguyễn Văn A"})

    html = render_report_html(make_report_data(), province)

    assert block_text(html, "issuer", 'id="national-motto"') == (
        "UBND TỈNH BẮC NINH SỞ THÔNG TIN VÀ TRUYỀN THÔNG Số: …/BC-STTTT")
    assert block_text(html, "signature", "</footer>") == "GIÁM ĐỐC Nguyễn Văn A"


def test_the_issuer_follows_the_province_and_defaults_what_its_vars_do_not_set():
    province = replace(PROVINCE, code="thu_nghiem", name_vi="Tỉnh Thử Nghiệm", name_en="Thử Nghiệm province",
                       peer_name="Thử Nghiệm", dbt_vars={**PROVINCE.dbt_vars, "dti_report_place": "Từ Sơn",
                                                         "dti_report_recipients_en": ["Office"]})

    english, vietnamese = report_issuer("en", province), report_issuer("vi", province)

    assert (english.place, english.recipients) == ("Từ Sơn", ("Office",))
    assert english.issuing_body == "DEPARTMENT OF SCIENCE AND TECHNOLOGY"
    assert (vietnamese.governing_body, english.governing_body) == (
        "UBND TỈNH THỬ NGHIỆM", "THỬ NGHIỆM PROVINCIAL PEOPLE'S COMMITTEE")
    assert (vietnamese.province, english.province) == ("tỉnh Thử Nghiệm", "Thử Nghiệm province")
    assert vietnamese.signer_authority == "KT. GIÁM ĐỐC"
    html = render_report_html(make_report_data(), province)
    assert "(DTI) tỉnh Thử Nghiệm" in html and "Bắc Ninh" not in html.split("<body", 1)[0]


def test_unit_names_keep_their_diacritics():
    html = render_report_html(make_report_data(), PROVINCE)

    assert "<td>Phường Đa Mai</td>" in html
    assert "Xã Yên Dũng".encode() in html.encode("utf-8")


@pytest.mark.parametrize(
    ("score", "is_met", "verdict", "distance"),
    [(0.61234, False, "chưa đạt", "còn thiếu 0.1377"), (0.75, True, "đạt", "vượt 0.0000"),
     (0.8012, True, "đạt", "vượt 0.0512")],
)
def test_province_dti_is_compared_with_the_target_of_the_targets_mart(score, is_met, verdict, distance):
    dti_target = replace(TARGETS[0], actual_value=score, is_met=is_met)
    html = render_report_html(make_report_data(province_dti_score=score, targets=(dti_target, *TARGETS[1:])), PROVINCE)

    headline = element_text(html, "province-target")
    assert headline.startswith(f"Mục tiêu DTI ≥ 0.7500: {verdict}")
    assert headline.endswith(distance)


def test_the_dti_target_follows_the_targets_mart_not_a_constant():
    raised = replace(TARGETS[0], target_value=0.8)
    html = render_report_html(make_report_data(targets=(raised, *TARGETS[1:])), PROVINCE)

    assert element_text(html, "province-target") == "Mục tiêu DTI ≥ 0.8000: chưa đạt, còn thiếu 0.1877"


def test_without_a_dti_target_the_headline_makes_no_claim_about_one():
    html = render_report_html(make_report_data(targets=TARGETS[1:]), PROVINCE)

    assert 'id="province-target"' not in html


def test_main_indices_follow_the_framework_numbers_with_points_values_and_smart_city_not_scored():
    html = render_report_html(make_report_data(), PROVINCE)

    government = table_row_containing(section(html, "main-indices-heading"), "Hoạt động chính quyền số")
    assert cells(government)[:6] == ["7", "Hoạt động chính quyền số", "Hoạt động", "150", "200", "0.7500"]
    assert "không tính điểm" in table_row_containing(html, "Đô thị thông minh")
    names = re.findall(r"<td>([^<]*)</td>", section(html, "main-indices-heading"))[::2]
    assert names == ["Nhận thức số", "Đô thị thông minh", "Hoạt động chính quyền số"]


def test_every_target_is_listed_with_actual_target_gap_verdict_and_change():
    html = render_report_html(make_report_data(), PROVINCE)

    rows = {code: cells(table_row_containing(html, f'id="target-{code}"')) for code in (t.code for t in TARGETS)}
    assert rows == {
        "dti_score": ["Chỉ số chuyển đổi số (DTI) của tỉnh đạt từ 0,75 trở lên", "0.6123", "≥ 0.7500", "0.1377",
                      "Chưa đạt", "+0.0223"],
        "national_rank": ["Tỉnh thuộc nhóm 10 địa phương dẫn đầu cả nước về DTI", "14", "≤ 10", "4 bậc", "Chưa đạt",
                          "lên 3 bậc"],
        "data_center_standard": ["Trung tâm dữ liệu của tỉnh đạt chuẩn", "Không", "Có", "–", "Chưa đạt", "không đổi"],
        "digitized_procedures": ["100% thủ tục hành chính đủ điều kiện được số hóa", "chưa đo được", "≥ 100%", "–",
                                 "chưa đo được", "–"],
        "full_process_online_services": ["Tỷ lệ dịch vụ công trực tuyến toàn trình đạt từ 60% trở lên", "55,3%",
                                         "≥ 60%", "4,7 điểm %", "Chưa đạt", "+1,2 điểm %"],
        "personal_digital_signatures": ["Tỷ lệ người trưởng thành sử dụng chữ ký số cá nhân đạt từ 30% trở lên",
                                        "31,3%", "≥ 30%", "0 điểm %", "Đạt", "–"],
    }
    assert len(re.findall(r'<tr id="target-', html)) == len(TARGETS)


def test_a_data_centre_recognised_since_the_previous_period_shows_the_change():
    recognised = target("data_center_standard", "Trung tâm dữ liệu của tỉnh đạt chuẩn", "yes_no", 1, 1, 0, True, 0)

    row = cells(table_row_containing(render_report_html(make_report_data(targets=(recognised,)), PROVINCE),
                                     "target-data_center"))

    assert row[1:] == ["Có", "Có", "–", "Đạt", "Không → Có"]


def test_estimated_national_rank_names_the_year_compared_peers_and_worst_case():
    html = render_report_html(make_report_data(), PROVINCE)

    assert element_text(html, "peer-rank") == (
        "Với DTI 0.6123, tỉnh đứng thứ 14 (trường hợp xấu nhất: thứ 19) khi so với kết quả DTI năm 2024 "
        "đã công bố; 11 tỉnh, thành phố khác có điểm được công bố."
    )
    assert element_text(html, "top10-score") == "Điểm DTI của vị trí thứ 10: 0.6511; tỉnh còn thiếu 0.0388."
    assert element_text(html, "top10") == "Tỉnh chưa thuộc nhóm 10 địa phương dẫn đầu."


def test_a_settled_rank_gives_no_worst_case():
    peer = PeerRank(2024, 34, 8, 8, 0.6011, -0.01124, True)

    html = render_report_html(make_report_data(peer_rank=peer), PROVINCE)

    assert "thứ 8 khi so với kết quả DTI năm 2024" in element_text(html, "peer-rank")
    assert "trường hợp xấu nhất" not in html
    assert element_text(html, "top10-score") == "Điểm DTI của vị trí thứ 10: 0.6011; tỉnh vượt 0.0112."
    assert element_text(html, "top10") == "Tỉnh thuộc nhóm 10 địa phương dẫn đầu."


@pytest.mark.parametrize("peer", [None, PeerRank(None, 0, None, None, None, None, None)])
def test_without_published_peer_results_the_rank_is_not_estimated(peer):
    html = render_report_html(make_report_data(peer_rank=peer), PROVINCE)

    assert element_text(html, "peer-rank").startswith("Chưa ước tính được thứ hạng")


def test_levers_show_component_main_index_responsible_units_points_and_dti_gain():
    html = render_report_html(make_report_data(), PROVINCE)

    data_centre = cells(table_row_containing(html, "<td>3.1</td>"))
    assert data_centre == ["2", "3.1", "Trung tâm dữ liệu của tỉnh đạt chuẩn", "Hạ tầng số",
                           "Sở Khoa học và Công nghệ (đầu mối)", "Sở Khoa học và Công nghệ", "50", "+0.0500",
                           "cần để đạt mục tiêu"]
    levers = section(html, "levers-heading")
    assert "Để đạt mục tiêu DTI còn thiếu 0.1377." in levers
    assert re.findall(r'<tr>\s*<td class="number">(\d+)</td>', levers) == ["1", "2", "6"]


NO_DOSSIERS_VI = "hệ thống thủ tục hành chính không gửi hồ sơ nào nộp trong kỳ 2026-Q3"
NO_DOSSIERS_EN = "no dossier received for 2026-Q3"


def test_a_component_without_data_says_collect_the_data_first_not_points_to_gain():
    lever = ImprovementLever(1, "6.2", "Tỷ lệ hồ sơ nộp trực tuyến toàn trình", "Hoạt động chính quyền số",
                             "province_systems", (), None, 0, False, collect_data_first=True,
                             no_data_reason_vi=NO_DOSSIERS_VI, no_data_reason_en=NO_DOSSIERS_EN)
    dossier_target = target("full_process_online_services", "Tỷ lệ hồ sơ trực tuyến toàn trình đạt từ 60% trở lên",
                            "rate", 0.6, None, None, None)
    dossier_target = replace(dossier_target, collect_data_first=True, no_data_reason_vi=NO_DOSSIERS_VI,
                             no_data_reason_en=NO_DOSSIERS_EN)
    data = make_report_data(
        levers=(lever, *LEVERS[1:]), targets=(TARGETS[0], dossier_target),
        coverage=replace(ESTIMATE, components_awaiting=0, components_no_data=1),
        no_data_components=(NoDataComponent("6.2", "Tỷ lệ hồ sơ nộp trực tuyến toàn trình", NO_DOSSIERS_VI,
                                            "Full-process online dossiers", NO_DOSSIERS_EN),),
    )

    html = render_report_html(data, PROVINCE)

    row = cells(table_row_containing(section(html, "levers-heading"), "<td>6.2</td>"))
    assert row[6:] == [f"Thu thập dữ liệu trước ({NO_DOSSIERS_VI})", ""]
    goal = cells(table_row_containing(section(html, "targets-heading"), 'id="target-full_process_online_services"'))
    assert goal[3] == f"Thu thập dữ liệu trước ({NO_DOSSIERS_VI})"
    assert element_text(html, "no-data-components") == f"6.2 Tỷ lệ hồ sơ nộp trực tuyến toàn trình: {NO_DOSSIERS_VI}"
    assert element_text(html, "province-coverage").endswith("; 1 chỉ số không có dữ liệu trong kỳ")
    assert element_text(html, "province-points").endswith("Chưa kể 1 chỉ số không có dữ liệu trong kỳ.")
    english = render_report_html(data, PROVINCE, ENGLISH)
    assert f"Collect the data first ({NO_DOSSIERS_EN})" in english
    assert f"6.2 Full-process online dossiers: {NO_DOSSIERS_EN}" in element_text(english, "no-data-components")


def test_a_lever_lists_the_first_units_short_of_full_points_then_how_many_more():
    communes = tuple(f"Xã Số {n}" for n in range(1, 9))
    lever = ImprovementLever(3, "7.1", "Tỷ lệ dịch vụ công trực tuyến toàn trình", "Hoạt động chính quyền số",
                             "commune", communes, 12.5, 0.0125, False)

    row = cells(table_row_containing(render_report_html(make_report_data(levers=(lever,)), PROVINCE), "<td>7.1</td>"))

    assert row[4:] == ["Các xã, phường", "Xã Số 1, Xã Số 2, Xã Số 3, Xã Số 4, Xã Số 5 và 3 đơn vị khác",
                       "12,5", "+0.0125", ""]


def test_units_are_listed_departments_first_then_communes_and_wards_by_rank():
    html = render_report_html(make_report_data(), PROVINCE)

    units = section(html, "units-heading")
    assert re.findall(r"<h3[^>]*>([^<]*)</h3>", units) == ["Sở, ban, ngành", "Xã, phường"]
    departments, communes = units.split('id="units-departments"')[1].split('id="units-communes-and-wards"')
    assert re.findall(r"<td>((?:Sở|Xã|Phường) [^<]*)</td>", departments) == ["Sở Khoa học và Công nghệ", "Sở Nội vụ"]
    assert re.findall(r"<td>((?:Xã|Phường) [^<]*)</td>", communes) == ["Phường Đa Mai", "Xã Yên Dũng", "Xã Tiên Du"]


def test_units_show_rank_status_dti_grade_change_and_missing_components():
    html = render_report_html(make_report_data(), PROVINCE)

    ward = table_row_containing(section(html, "units-heading"), "Phường Đa Mai")
    assert cells(ward) == ["1", "Phường Đa Mai", "Phường", "Nộp đúng hạn", "0.7001", "Khá", "-0.0100", "0 / 12"]
    assert "needs-urging" not in ward
    department = cells(table_row_containing(section(html, "units-heading"), "Sở Khoa học và Công nghệ"))
    assert department[2:] == ["Sở/ban ngành", "Nộp đúng hạn", "0.8123", "Tốt", "+0.0123", "0 / 12"]


@pytest.mark.parametrize(
    ("name", "status"),
    [("Sở Nội vụ", "Nộp muộn"), ("Xã Tiên Du", "Chưa nộp"), ("Xã Yên Dũng", "Bị từ chối (mọi tệp bị cách ly)")],
)
def test_late_rejected_and_missing_units_are_marked_for_urging(name, status):
    row = table_row_containing(section(render_report_html(make_report_data(), PROVINCE), "units-heading"),
                               f"<td>{name}</td>")

    assert 'class="needs-urging' in row
    assert f"<td><strong>{status}</strong></td>" in row


def test_missing_unit_scores_zero_and_is_still_ranked():
    row = cells(table_row_containing(section(render_report_html(make_report_data(), PROVINCE), "units-heading"),
                                     "Xã Tiên Du"))

    assert row == ["3", "Xã Tiên Du", "Xã", "Chưa nộp", "0.0000", "Kém", "–", "12 / 12"]


def test_headline_counts_units_by_submission_status():
    html = render_report_html(make_report_data(), PROVINCE)

    assert "Đơn vị có dữ liệu được tính điểm: 3 / 5 (đúng hạn 2, nộp muộn 1); bị từ chối: 1; chưa nộp: 1" in html


def test_urging_list_gives_due_date_submission_time_and_rejection_reasons():
    html = render_report_html(make_report_data(), PROVINCE)

    urging = section(html, "urging-heading")
    assert re.findall(r"<tr class=\"needs-urging [a-z_]+\">\s*<td>([^<]*)</td>", urging) == [
        "Xã Tiên Du", "Xã Yên Dũng", "Sở Nội vụ"]
    assert cells(table_row_containing(urging, "Sở Nội vụ")) == [
        "Sở Nội vụ", "Nộp muộn", "15/10/2026", "09:30 ngày 16/10/2026 (giờ Việt Nam)", "0", ""]
    rejected = cells(table_row_containing(urging, "Xã Yên Dũng"))
    assert rejected[:5] == ["Xã Yên Dũng", "Bị từ chối (mọi tệp bị cách ly)", "15/10/2026", "–", "2"]
    assert rejected[5] == "X07246_a.xlsx: thiếu trang tính &#39;Tự đánh giá&#39;\nX07246_b.xlsx: không phải tệp .xlsx"


def test_urging_list_says_so_when_every_unit_was_on_time():
    html = render_report_html(make_report_data(units_to_urge=()), PROVINCE)

    assert "Mọi đơn vị đã nộp đúng hạn." in section(html, "urging-heading")


def test_hostile_unit_and_file_names_are_escaped():
    data = make_report_data(
        units=(unit("EVIL", HOSTILE_NAME, "ward", "on_time", 1, 0.5),),
        units_to_urge=(UnitToUrge("EVIL", HOSTILE_NAME, "rejected", date(2026, 10, 15), None, 1, HOSTILE_NAME),),
        quarantined=(QuarantinedFile(HOSTILE_NAME + ".xlsx", HOSTILE_NAME),),
    )

    html = render_report_html(data, PROVINCE)

    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 5


def test_quarantined_files_are_listed_with_their_reasons():
    html = render_report_html(make_report_data(), PROVINCE)

    assert '<h2 id="quarantine-heading">Dữ liệu bị cách ly</h2>' in html
    row = table_row_containing(html, "P07228_2026-Q3.xlsx")
    assert "thiếu cột &#39;Tử số&#39; ở dòng 12" in row


def test_report_says_so_when_nothing_was_quarantined():
    html = render_report_html(make_report_data(quarantined=()), PROVINCE)

    assert "Không có tệp nào bị cách ly trong kỳ này." in html
    assert "<th>Lý do</th>" not in html


def test_methodology_names_legal_basis_framework_sources_data_as_of_run_and_time_in_vietnam():
    methodology = section(render_report_html(make_report_data(), PROVINCE), "methodology-heading")

    assert "Quyết định 922/QĐ-BTTTT ngày 20/5/2022" in methodology
    assert "Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh giai đoạn 2021–2023 (phiên bản 922)" in methodology
    assert re.findall(r"<li>([^<]*)</li>", methodology) == [
        "Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh: 12 tệp/trang dữ liệu",
        "Báo cáo tự đánh giá của các sở, ban, ngành và xã, phường: 4 tệp/trang dữ liệu",
    ]
    assert element_text(methodology, "data-as-of") == "Dữ liệu tiếp nhận đến: 08:15 ngày 30/09/2026 (giờ Việt Nam)."
    assert element_text(methodology, "run") == (
        "Lượt chạy: manual__2026-10-01T00:00:00+00:00 · Lập lúc 10:00 ngày 01/10/2026 (giờ Việt Nam)")


def test_data_quality_section_lists_each_suite_of_the_run_with_failures_and_links_the_data_docs():
    quality = section(render_report_html(make_report_data(), PROVINCE), "quality-heading")

    assert cells(table_row_containing(quality, "suite-raw_submissions")) == [
        "raw_submissions", "Không đạt", "6", "5", "84", "3"]
    assert cells(table_row_containing(quality, "suite-marts_dti")) == ["marts_dti", "Đạt", "1", "1", "27", "0"]
    assert 'href="../../quality/index.html"' in quality


def test_a_run_without_recorded_validations_says_so():
    quality = section(render_report_html(make_report_data(validations=()), PROVINCE), "quality-heading")

    assert "Lượt chạy này chưa ghi nhận kết quả kiểm tra chất lượng nào." in quality
    assert "<table" not in quality


def test_report_needs_no_external_assets():
    html = render_report_html(make_report_data(), PROVINCE)

    assert "<style>" in html
    for reference in ("<link", "src=", "<script", "@import", "xlink:href=\"http"):
        assert reference not in html
    # the charts' clip paths point inside the page only
    assert re.findall(r"url\(([^)]*)\)", html) and all(target.startswith("#") for target in
                                                      re.findall(r"url\(([^)]*)\)", html))


def test_report_links_the_data_docs_published_beside_the_reports():
    html = render_report_html(make_report_data(), PROVINCE)

    (href,) = re.findall(r'href="([^"]*quality[^"]*)"', html)
    for report_folder in (f"reports/{PERIOD}", "reports/latest"):
        assert os.path.normpath(f"{report_folder}/{href}") == "quality/index.html"


# --- loading -----------------------------------------------------------------------------------


class ConnectionWithoutRows:
    """Stands in for a psycopg connection whose marts hold nothing for the period."""

    def cursor(self, row_factory=None):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, query, params):
        assert params == {"period": PERIOD}, "values must be bound as parameters"
        return self

    def fetchall(self):
        return []


def test_publishing_reads_only_the_marts_made_for_it():
    with pytest.raises(ValueError, match="rpt_\\* marts"):
        mart_rows(ConnectionWithoutRows(), "fct_dti_scores", "period = %(period)s", {"period": PERIOD})


def test_loading_a_period_without_a_province_row_fails_clearly():
    with pytest.raises(ReportDataMissing, match="no province DTI for period '2026-Q3'"):
        load_report_data(ConnectionWithoutRows(), PERIOD, "run-1")


# --- atomic publication ------------------------------------------------------------------------


def published_bytes(output_root: Path, link: str, relative_path: str = "index.html") -> bytes:
    return (output_root / "reports" / link / relative_path).read_bytes()


def test_second_publication_switches_period_and_latest_after_writing(tmp_path, monkeypatch):
    first = write_publication_atomically(tmp_path, PERIOD, "run-1", {"index.html": b"first"})
    seen_at_each_switch = []
    switch_symlink = publication._switch_symlink

    def record_then_switch(link, target):
        seen_at_each_switch.append((link.name, published_bytes(tmp_path, "latest"),
                                    (first / "index.html").read_bytes()))
        switch_symlink(link, target)

    monkeypatch.setattr(publication, "_switch_symlink", record_then_switch)
    second = write_publication_atomically(tmp_path, PERIOD, "run-2", {"index.html": b"second"})

    assert seen_at_each_switch[0] == (PERIOD, b"first", b"first")
    assert [link for link, _, _ in seen_at_each_switch] == [PERIOD, "latest"]
    reports = tmp_path / "reports"
    assert (reports / PERIOD).resolve() == second.resolve()
    assert (reports / "latest").resolve() == second.resolve()
    assert published_bytes(tmp_path, "latest") == b"second"
    assert (first / "index.html").read_bytes() == b"first"


def test_latest_follows_the_most_recent_publication_of_any_period(tmp_path):
    write_publication_atomically(tmp_path, "2026-Q2", "run-1", {"index.html": b"q2"})
    write_publication_atomically(tmp_path, PERIOD, "run-2", {"index.html": b"q3"})

    assert published_bytes(tmp_path, "latest") == b"q3"
    assert published_bytes(tmp_path, "2026-Q2") == b"q2"


def test_failure_while_writing_leaves_latest_byte_identical(tmp_path, monkeypatch):
    write_publication_atomically(tmp_path, PERIOD, "run-1", {"index.html": b"first", "report.xlsx": b"sheet"})
    before = published_bytes(tmp_path, "latest")
    link_before = os.readlink(tmp_path / "reports" / PERIOD)
    write_file = publication._write_file
    written = []

    def fail_on_second_file(path, content):
        if written:
            raise OSError("disk full")
        written.append(path)
        write_file(path, content)

    monkeypatch.setattr(publication, "_write_file", fail_on_second_file)
    with pytest.raises(OSError, match="disk full"):
        write_publication_atomically(tmp_path, PERIOD, "run-2", {"index.html": b"second", "report.xlsx": b"new"})

    assert written, "the failure must happen after a file of the new build was written"
    assert published_bytes(tmp_path, "latest") == before
    assert os.readlink(tmp_path / "reports" / PERIOD) == link_before
    assert not list((tmp_path / "reports").glob(".tmp-*"))


def test_failure_while_rendering_leaves_latest_byte_identical(tmp_path, monkeypatch):
    write_publication_atomically(tmp_path, PERIOD, "run-1", {"index.html": b"first"})
    monkeypatch.setattr(report, "load_report_data", lambda conn, period, run_id: make_report_data())

    def broken_renderer(data, province, lang=None):
        raise RuntimeError("template error")

    monkeypatch.setattr(report, "render_report_html", broken_renderer)
    with pytest.raises(RuntimeError, match="template error"):
        publish_report(None, PERIOD, tmp_path, "run-2", PROVINCE)

    assert published_bytes(tmp_path, "latest") == b"first"
    assert [build.name for build in (tmp_path / "reports" / ".builds" / PERIOD).iterdir()] == ["run-1"]


def test_publish_report_writes_the_rendered_report_and_returns_the_score(tmp_path, monkeypatch):
    data = make_report_data()
    monkeypatch.setattr(report, "load_report_data", lambda conn, period, run_id: data)

    published = publish_report(None, PERIOD, tmp_path, data.run_id, PROVINCE)

    assert published.period == PERIOD
    assert published.dti_score == pytest.approx(0.61234)
    assert published.report_path.read_bytes() == render_report_html(data, PROVINCE).encode("utf-8")
    assert published_bytes(tmp_path, "latest") == published.report_path.read_bytes()


def test_extra_files_are_published_in_the_same_build_as_the_report(tmp_path, monkeypatch):
    data = make_report_data()
    monkeypatch.setattr(report, "load_report_data", lambda conn, period, run_id: data)
    extra = {"dti-2026.xlsx": b"workbook", "units/so-a.html": b"<p>scorecard</p>"}

    published = publish_report(None, PERIOD, tmp_path, data.run_id, PROVINCE, extra_files=extra)

    assert published.folder == published.report_path.parent
    assert (published.folder / "dti-2026.xlsx").read_bytes() == b"workbook"
    assert published_bytes(tmp_path, PERIOD, "units/so-a.html") == b"<p>scorecard</p>"


def test_extra_files_may_not_replace_the_report(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "load_report_data", lambda conn, period, run_id: make_report_data())

    with pytest.raises(ValueError, match="index.html"):
        publish_report(None, PERIOD, tmp_path, "run-1", PROVINCE, extra_files={"index.html": b"other"})

    assert not (tmp_path / "reports" / PERIOD).exists()


def test_previous_build_is_kept_and_older_builds_are_deleted(tmp_path):
    first = write_publication_atomically(tmp_path, PERIOD, "run-1", {"index.html": b"1"})
    second = write_publication_atomically(tmp_path, PERIOD, "run-2", {"index.html": b"2"})
    third = write_publication_atomically(tmp_path, PERIOD, "run-3", {"index.html": b"3"})

    assert not first.exists()
    assert (second / "index.html").read_bytes() == b"2"
    assert published_bytes(tmp_path, PERIOD) == b"3"
    assert sorted(build.name for build in third.parent.iterdir()) == ["run-2", "run-3"]


def test_retried_run_publishes_a_new_build_beside_its_first_attempt(tmp_path):
    first = write_publication_atomically(tmp_path, PERIOD, "manual__2026-10-01T00:00:00+00:00", {"index.html": b"1"})
    retry = write_publication_atomically(tmp_path, PERIOD, "manual__2026-10-01T00:00:00+00:00", {"index.html": b"2"})

    assert retry != first
    assert (first / "index.html").read_bytes() == b"1"
    assert published_bytes(tmp_path, "latest") == b"2"
    assert "/" not in first.name and ":" not in first.name


def test_a_published_folder_switches_in_one_step_and_keeps_the_previous_build(tmp_path):
    builds = []
    for run, content in (("run-1", b"1"), ("run-2", b"2"), ("run-3", b"3")):
        staging = publication.new_staging_folder(tmp_path, "quality")
        (staging / "index.html").write_bytes(content)
        builds.append(publication.publish_folder_atomically(staging, tmp_path / "quality", run))

    assert (tmp_path / "quality" / "index.html").read_bytes() == b"3"
    assert os.readlink(tmp_path / "quality") == ".builds/quality/run-3"
    assert not builds[0].exists() and (builds[1] / "index.html").read_bytes() == b"2"
    assert not list(tmp_path.glob(".tmp-*"))
    assert builds[2].stat().st_mode & 0o055 == 0o055


def test_published_report_is_readable_by_others(tmp_path):
    build = write_publication_atomically(tmp_path, PERIOD, "run-1", {"index.html": b"x"})

    assert build.stat().st_mode & 0o055 == 0o055


@pytest.mark.parametrize("period", ["../2026-Q3", "latest", ".builds", "2026/Q3", ""])
def test_period_that_is_not_a_period_label_is_refused(tmp_path, period):
    with pytest.raises(ValueError, match="not a period label"):
        write_publication_atomically(tmp_path, period, "run-1", {"index.html": b"x"})
    assert not (tmp_path / "reports").exists()


def test_a_quarantined_row_is_listed_with_its_unit_row_and_column():
    html = render_report_html(make_report_data(quarantined=(
        QuarantinedFile("X07246.xlsx", "X07246.xlsx: not a valid .xlsx file", unit_code="X07246"),
        QuarantinedFile("STP.xlsx", "expected a number, found 'abc'", unit_code="STP", row_number=3,
                        column_name="denominator"),
    )), PROVINCE)
    row = table_row_containing(html, "STP.xlsx")
    assert cells(row) == ["STP.xlsx", "STP", "3", "denominator", "expected a number, found &#39;abc&#39;"]
    assert "cả tệp" in table_row_containing(html, "X07246.xlsx: not a valid")


# --- both languages ----------------------------------------------------------------------------

NUMBER_TABLES = ("main-indices", "targets", "levers", "units-departments", "units-communes-and-wards")


def bilingual_data() -> ReportData:
    """The report data with English names where the marts have them."""
    data = make_report_data()
    return replace(
        data,
        main_indices=(replace(data.main_indices[0], name_en="Digital awareness"), *data.main_indices[1:]),
        targets=(replace(data.targets[0], name_en="Provincial DTI of 0.75 or higher"), *data.targets[1:]),
        levers=(replace(data.levers[0], name_en="Share of dossiers filed fully online",
                        main_index_name_en="Digital government"), *data.levers[1:]),
        units=tuple(replace(unit, grade_en={"Tốt": "Good", "Khá": "Fair", "Kém": "Poor"}[unit.grade_vi])
                    for unit in data.units),
    )


def table_after(html: str, element_id: str) -> str:
    """The first table at or after the element ``element_id``."""
    rest = html.split(f'id="{element_id}"')[1]
    return rest[rest.index("<tbody>"):rest.index("</tbody>")]


def numbers_in(text: str, lang: str) -> list[Decimal]:
    """Every number in ``text`` as the reader of ``lang`` reads it. Index values are dot-decimal with
    four decimals in both; Vietnamese writes other numbers '1.000,5', English '1,000.5'."""
    numbers = []
    for token in re.findall(r"\d[\d.,]*\d|\d", text):
        if re.fullmatch(r"\d\.\d{4}", token) or lang == "en":
            numbers.append(Decimal(token.replace(",", "")))
        else:
            numbers.append(Decimal(token.replace(".", "").replace(",", ".")))
    return numbers


def numbers_of_tables(html: str, lang: str) -> dict[str, list[list[Decimal]]]:
    """table -> the numbers in each number cell, row by row; and the headline DTI."""
    tables = {"province-dti": [numbers_in(element_text(html, "province-dti"), lang)]}
    for table in NUMBER_TABLES:
        tables[table] = [
            numbers_in(re.sub(r"<[^>]+>", "", cell), lang)
            for cell in re.findall(r'<td class="number[^"]*">(.*?)</td>', table_after(html, table), re.DOTALL)
        ]
    return tables


def test_both_languages_show_the_same_numbers_in_every_table():
    pages = render_report_pages(bilingual_data(), PROVINCE)
    vietnamese, english = (pages[name].decode("utf-8") for name in ("index.html", "index.en.html"))

    in_vietnamese, in_english = numbers_of_tables(vietnamese, "vi"), numbers_of_tables(english, "en")

    assert in_vietnamese == in_english
    assert in_vietnamese["province-dti"] == [[Decimal("0.6123")]]
    # number, points, max points, value, components measured and range (none in this data), next row
    assert in_vietnamese["main-indices"][:7] == [[1], [Decimal("80.5")], [100], [Decimal("0.805")], [], [], [6]]
    assert sum(len(cell) for cells_ in in_vietnamese.values() for cell in cells_) > 50
    # the formatting differs where the languages do
    assert "<td class=\"number\">55,3%</td>" in vietnamese and "<td class=\"number\">55.3%</td>" in english
    assert "<td class=\"number\">4,7 điểm %</td>" in vietnamese and "<td class=\"number\">4.7 pp</td>" in english


def test_the_english_report_names_things_in_english_and_units_in_vietnamese():
    html = render_report_html(bilingual_data(), PROVINCE, ENGLISH)

    assert '<html lang="en">' in html
    assert element_text(html, "document-title") == (
        "REPORT Results of the Digital Transformation Index (DTI) assessment for 2026-Q3")
    assert block_text(html, "issuer", 'id="national-motto"') == (
        "BẮC NINH PROVINCIAL PEOPLE&#39;S COMMITTEE DEPARTMENT OF SCIENCE AND TECHNOLOGY No.: …/BC-SKHCN")
    assert element_text(html, "province-grade") == "Grade (the province's own scale): Average"
    assert element_text(html, "province-target") == "DTI target ≥ 0.7500: not met, short by 0.1377"
    assert "<td>Digital awareness</td>" in html and "<td>Provincial DTI of 0.75 or higher</td>" in html
    # a name the marts give only in Vietnamese stays Vietnamese
    assert "<td>Đô thị thông minh</td>" in html
    ward = cells(table_row_containing(section(html, "units-heading"), "Phường Đa Mai"))
    assert ward == ["1", "Phường Đa Mai", "Ward", "On time", "0.7001", "Fair", "-0.0100", "0 / 12"]
    assert "tỉnh" not in element_text(html, "peer-rank")
    assert element_text(html, "peer-rank").startswith("With a DTI of 0.6123, the province ranks 14 (worst case: 19)")


def test_each_report_links_to_the_other_language():
    pages = render_report_pages(make_report_data(), PROVINCE)

    assert set(pages) == {"index.html", "index.en.html"}
    assert re.search(r'<nav class="language-switch"><a href="index.en.html" hreflang="en"[^>]*>English</a>',
                     pages["index.html"].decode())
    assert re.search(r'<nav class="language-switch"><a href="index.html" hreflang="vi"[^>]*>Tiếng Việt</a>',
                     pages["index.en.html"].decode())


def test_the_template_holds_no_text_of_either_language():
    template = (Path(report.__file__).parent / "templates" / "report.html.j2").read_text(encoding="utf-8")
    text_between_tags = re.sub(r"{[{%#].*?[}%#]}", "", re.sub(r"<style>.*?</style>", "", template, flags=re.DOTALL))
    words = re.findall(r">\s*([^<>\s][^<>]*?)\s*<", text_between_tags)

    assert [word for word in words if re.search(r"[A-Za-zÀ-ỹ]", word)] == []


def test_every_message_exists_in_both_languages():
    assert VIETNAMESE.messages.keys() == ENGLISH.messages.keys()
    assert {kind: set(labels) for kind, labels in VIETNAMESE.labels.items()} == {
        kind: set(labels) for kind, labels in ENGLISH.labels.items()}


# --- charts ------------------------------------------------------------------------------------

CHARTS = ("chart-main-indices", "chart-targets", "chart-units")


def figure(html: str, chart_id: str) -> str:
    match = re.search(rf'<figure class="chart" id="{chart_id}"[^>]*>(.*?)</figure>', html, re.DOTALL)
    assert match, f"no chart {chart_id!r}"
    return match.group(1)


@pytest.mark.parametrize("lang", [VIETNAMESE, ENGLISH], ids=["vi", "en"])
def test_each_chart_is_inline_svg_with_drawn_marks_title_and_caption(lang):
    html = render_report_html(bilingual_data(), PROVINCE, lang)

    for chart_id in CHARTS:
        chart = figure(html, chart_id)
        svg = chart[chart.index("<svg"):chart.index("</svg>")]
        assert re.match(rf'<svg role="img" aria-labelledby="{chart_id}-title"', svg)
        assert re.search(rf'<title id="{chart_id}-title">[^<]+</title>', svg)
        assert len(re.findall(r"<path ", svg)) > 10, "bars and glyph outlines are drawn"
        assert "<text" not in svg, "text is drawn as outlines, readable without the font"
        assert re.search(r"<figcaption[^>]*>[^<]+</figcaption>", chart)
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html


def test_chart_titles_and_captions_are_in_the_report_language():
    vietnamese = render_report_html(make_report_data(), PROVINCE, VIETNAMESE)
    english = render_report_html(make_report_data(), PROVINCE, ENGLISH)

    assert '<title id="chart-main-indices-title">Giá trị các chỉ số chính so với mức tối đa 1,0</title>' in vietnamese
    assert '<title id="chart-main-indices-title">Main index values against the maximum of 1.0</title>' in english
    assert figure(vietnamese, "chart-units") != figure(english, "chart-units")


def test_the_main_indices_chart_draws_one_bar_per_scored_index_against_one():
    svg = figure(render_report_html(make_report_data(), PROVINCE), "chart-main-indices")

    # two scored indices (smart city carries no points): a full-scale bar and a value bar each
    assert len(re.findall(rf'style="fill: {charts.MUTED}"', svg)) == 2
    assert len(re.findall(rf'style="fill: {charts.ACCENT}"', svg)) == 2


def test_charts_without_anything_to_draw_are_left_out():
    html = render_report_html(make_report_data(targets=(), units=(), main_indices=()), PROVINCE)

    assert '<figure class="chart"' not in html


def test_rendering_twice_gives_identical_bytes():
    data = bilingual_data()
    first = render_report_pages(data, PROVINCE)
    charts._draw_charts_once.cache_clear()

    assert render_report_pages(data, PROVINCE) == first


def test_publish_report_writes_both_languages_in_one_build(tmp_path, monkeypatch):
    data = make_report_data()
    monkeypatch.setattr(report, "load_report_data", lambda conn, period, run_id: data)

    published = publish_report(None, PERIOD, tmp_path, data.run_id, PROVINCE)

    assert published.english_report_path == published.folder / "index.en.html"
    assert published.english_report_path.read_bytes() == render_report_html(data, PROVINCE, ENGLISH).encode("utf-8")
    assert published_bytes(tmp_path, "latest", "index.en.html") == published.english_report_path.read_bytes()
