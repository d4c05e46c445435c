"""The report reads the marts on real PostgreSQL: a fresh database holds tables in the shape of the
``rpt_*`` marts the report reads (only the columns it reads, and their keys), with a few rows of one
period and of the period before it, and the validations of another run, which the report must leave
out. What the marts compute for the report (its order, the last result of a retried validation, the
files behind each source) is tested on the models, in dbt_project/models/marts/_rpt_publishing_unit_tests.yml.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from dti.publish.report import render_report_html, render_report_pages
from dti.publish.report_data import ReportDataMissing, load_report_data
from tests.helpers import PROVINCE

PERIOD = "2025-Q4"

MARTS = """
create schema marts;

create table marts.rpt_province_dti (
    period text, catalog_code text, legal_document text, framework_name_vi text, framework_name_en text,
    component_counts_verified boolean, points numeric, max_points integer, dti_score numeric,
    dti_score_lowest numeric, dti_score_highest numeric, is_estimate boolean, grade_vi text, grade_en text,
    pillar_government numeric, pillar_economy numeric, pillar_society numeric, official_component_count integer,
    components_measured integer, components_official_measured integer, components_proxy_measured integer,
    components_awaiting integer, previous_period text, previous_dti_score numeric, dti_change numeric,
    compared_year integer, peers_with_score integer, estimated_rank integer, worst_case_rank integer,
    rank_range_best integer, rank_range_worst integer, tenth_place_score numeric, gap_to_top10 numeric,
    in_top10 boolean, components_no_data integer default 0);
insert into marts.rpt_province_dti values
    ('2025-Q3', '405', 'Quyết định 405/QĐ-BKHCN ngày 3/4/2025 của Bộ Khoa học và Công nghệ',
     'Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh từ năm 2024', 'Provincial Digital Transformation Index from 2024',
     false, 590, 1000, 0.59, null, null, null, 'Trung bình', 'Average', null, null, null, null, null, null, null,
     null, null, null, null, 2024, 11, 17, 20, null, null, 0.6511, 0.0611, false),
    ('2025-Q4', '405', 'Quyết định 405/QĐ-BKHCN ngày 3/4/2025 của Bộ Khoa học và Công nghệ',
     'Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh từ năm 2024', 'Provincial Digital Transformation Index from 2024',
     false, 612.345, 1000, 0.612345, 0.35, 0.88, true, 'Trung bình', 'Average', 0.7, 0.6, 0.5, 47, 26, 2, 24, 1,
     '2025-Q3', 0.59, 0.022345, 2024, 11, 14, 19, 4, 40, 0.6511, 0.038755, false);

create table marts.rpt_main_index_scores (
    period text, scope_type text, scope_code text, main_index_code text, main_index_number integer,
    display_order integer, name_vi text, name_en text, index_group text, points numeric, max_points integer,
    index_value numeric, official_component_count integer, components_measured integer,
    index_value_lowest numeric, index_value_highest numeric);
insert into marts.rpt_main_index_scores values
    ('2025-Q4', 'province', 'PROVINCE', 'digital_government', 6, 3, 'Hoạt động chính quyền số', 'Digital government',
     'activity', 150, 200, 0.75, null, null, null, null),
    ('2025-Q4', 'province', 'PROVINCE', 'infrastructure', 3, 2, 'Hạ tầng số', 'Digital infrastructure',
     'foundation', 40, 100, 0.4, null, null, null, null),
    ('2025-Q4', 'province', 'PROVINCE', 'awareness', 1, 1, 'Nhận thức số', 'Digital awareness', 'foundation',
     80.5, 100, 0.805, null, 4, 0.3, 0.9),
    ('2025-Q4', 'unit', 'SKHCN', 'awareness', null, 1, 'Nhận thức số', 'Digital awareness', null, 10, 100, 0.1,
     null, null, null, null),
    ('2025-Q3', 'province', 'PROVINCE', 'awareness', 1, 1, 'Nhận thức số', 'Digital awareness', 'foundation',
     70, 100, 0.7, null, null, null, null);

create table marts.rpt_component_scores (
    period text, scope_type text, scope_code text, component_code text, name_vi text, name_en text,
    score_status text, no_data_reason_vi text, no_data_reason_en text);
insert into marts.rpt_component_scores values
    ('2025-Q4', 'province', 'PROVINCE', '3.1', 'Trung tâm dữ liệu của tỉnh đạt chuẩn', null, 'scored'),
    ('2025-Q4', 'province', 'PROVINCE', '8.4',
     'Tỷ lệ người dân hài lòng khi sử dụng dịch vụ số (khảo sát của Bộ)', null, 'awaiting'),
    ('2025-Q3', 'province', 'PROVINCE', '6.6', 'Chỉ số của kỳ trước', null, 'awaiting');

create table marts.rpt_target_progress (
    period text, display_order integer, target_code text, name_vi text, name_en text, metric text,
    scoring_rule text, comparison text, target_value numeric, actual_value numeric, gap numeric, is_met boolean,
    previous_actual_value numeric, change_since_previous numeric, collect_data_first boolean default false,
    no_data_reason_vi text, no_data_reason_en text);
insert into marts.rpt_target_progress values
    ('2025-Q4', 3, 'data_center_standard', 'Trung tâm dữ liệu của tỉnh đạt chuẩn', null, 'indicator', 'boolean',
     'at_least', 1, 0, 1, false, 0, 0),
    ('2025-Q4', 4, 'digitized_procedures', '100% thủ tục hành chính đủ điều kiện được số hóa', null, 'indicator',
     'ratio', 'at_least', 1.00, null, null, null, null, null),
    ('2025-Q4', 1, 'dti_score', 'Chỉ số chuyển đổi số (DTI) của tỉnh đạt từ 0,75 trở lên',
     'Provincial DTI of 0.75 or higher', 'dti_score', null, 'at_least', 0.75, 0.612345, 0.137655, false, 0.59,
     0.022345),
    ('2025-Q4', 5, 'full_process_online_services', 'Tỷ lệ dịch vụ công trực tuyến toàn trình đạt từ 60% trở lên',
     null, 'indicator', 'ratio', 'at_least', 0.60, 0.553, 0.047, false, 0.541, 0.012),
    ('2025-Q4', 2, 'national_rank', 'Tỉnh thuộc nhóm 10 địa phương dẫn đầu cả nước về DTI', null, 'national_rank',
     null, 'at_most', 10, 14, 4, false, 17, -3),
    ('2025-Q3', 1, 'dti_score', 'Chỉ số chuyển đổi số (DTI) của tỉnh đạt từ 0,75 trở lên',
     'Provincial DTI of 0.75 or higher', 'dti_score', null, 'at_least', 0.75, 0.59, 0.16, false, null, null);

create table marts.rpt_improvement_levers (
    period text, lever_rank integer, component_code text, name_vi text, name_en text, main_index_name_vi text,
    main_index_name_en text, responsible_unit_type text, units_short_names text[], headroom_points numeric,
    dti_gain_at_target numeric, closes_gap_to_target boolean, collect_data_first boolean default false,
    no_data_reason_vi text, no_data_reason_en text);
insert into marts.rpt_improvement_levers
select '2025-Q4', n, '6.' || n, 'Chỉ số thành phần ' || n, 'Component ' || n, 'Hoạt động chính quyền số',
       'Digital government', 'commune', case when n = 1 then array['Xã Yên Dũng', 'Phường Đa Mai'] end, 50 - n,
       (50 - n) / 1000.0, n <= 3 or n = 7
from generate_series(1, 8) as n;
update marts.rpt_improvement_levers
set component_code = '3.1', name_vi = 'Trung tâm dữ liệu của tỉnh đạt chuẩn', main_index_name_vi = 'Hạ tầng số',
    main_index_name_en = 'Digital infrastructure', responsible_unit_type = 'focal_point',
    units_short_names = array['Sở Khoa học và Công nghệ']
where lever_rank = 2;
insert into marts.rpt_improvement_levers values
    ('2025-Q3', 1, '6.1', 'Chỉ số thành phần của kỳ trước', null, null, null, 'all', null, 60, 0.06, true);

create table marts.rpt_unit_ranking (
    period text, ranking_group text, rank_in_group integer, unit_code text, name_vi text, unit_type text,
    dti_score numeric, grade_vi text, grade_en text, dti_change numeric, submission_status text,
    components_in_scope integer, components_missing integer);
insert into marts.rpt_unit_ranking values
    ('2025-Q4', 'commune', 2, 'X07246', 'Xã Yên Dũng', 'commune', 0, 'Kém', 'Poor', null, 'missing', 12, 12),
    ('2025-Q4', 'department', 1, 'SKHCN', 'Sở Khoa học và Công nghệ', 'department', 0.8123, 'Tốt', 'Good', 0.0123,
     'late', 15, 1),
    ('2025-Q4', 'commune', 1, 'P07228', 'Phường Đa Mai', 'ward', 0.70005, 'Khá', 'Fair', null, 'on_time', 12, 0),
    ('2025-Q3', 'commune', 1, 'X07246', 'Xã Yên Dũng', 'commune', 0.5, 'Trung bình', 'Average', null, 'on_time',
     12, 0);

create table marts.rpt_units_to_urge (
    period text, urge_order integer, unit_code text, name_vi text, submission_status text, due_date date,
    first_accepted_at timestamptz, files_rejected integer, rejection_reasons text);
insert into marts.rpt_units_to_urge values
    ('2025-Q4', 2, 'SKHCN', 'Sở Khoa học và Công nghệ', 'late', '2026-01-15', '2026-01-16 09:30+07', 0, null),
    ('2025-Q4', 1, 'X07246', 'Xã Yên Dũng', 'missing', '2026-01-15', null, 0, null),
    ('2025-Q3', 1, 'X07246', 'Xã Yên Dũng', 'late', '2025-10-15', '2025-10-20 10:00+07', 0, null);

create table marts.rpt_quarantined (
    period text, file_name text, unit_code text, file_row_number integer, column_name text, reason text);
insert into marts.rpt_quarantined values
    ('2025-Q3', 'X07246_2025-Q3.xlsx', 'X07246', null, null, 'X07246_2025-Q3.xlsx: the file could not be read');

create table marts.rpt_run_validations (
    run_id text, suite_name text, validations integer, validations_passed integer, expectations_evaluated integer,
    expectations_failed integer);
insert into marts.rpt_run_validations values
    ('run-1', 'raw_submissions', 2, 1, 28, 2),
    ('run-1', 'marts_dti', 1, 1, 9, 0),
    ('run-0', 'marts_dti', 1, 0, 9, 9);

create table marts.rpt_score_sources (period text, value_source text, files integer, last_loaded_at timestamptz);
insert into marts.rpt_score_sources values
    ('2025-Q4', 'unit_reports', 2, '2026-01-16 09:31+07'),
    ('2025-Q4', 'procedure_system', 1, '2026-01-17 06:00+07'),
    ('2025-Q3', 'procedure_system', 1, '2025-10-17 06:00+07');
"""


@pytest.fixture()
def marts_conn(database_url):
    with psycopg.connect(database_url) as conn:
        conn.execute(MARTS)
        yield conn


def test_the_report_reads_every_section_of_the_period_from_the_marts(marts_conn):
    data = load_report_data(marts_conn, PERIOD, "run-1")

    assert data.province_dti_score == pytest.approx(0.612345)
    assert (data.province_grade_vi, data.previous_period) == ("Trung bình", "2025-Q3")
    assert data.dti_change == pytest.approx(0.022345)
    assert data.legal_document.startswith("Quyết định 405/QĐ-BKHCN")
    assert [(index.number, index.name_vi) for index in data.main_indices] == [
        (1, "Nhận thức số"), (3, "Hạ tầng số"), (6, "Hoạt động chính quyền số")]
    assert [(target.code, target.value_kind) for target in data.targets] == [
        ("dti_score", "dti"), ("national_rank", "rank"), ("data_center_standard", "yes_no"),
        ("digitized_procedures", "rate"), ("full_process_online_services", "rate")]
    assert data.dti_target.target_value == 0.75
    assert (data.peer_rank.estimated_rank, data.peer_rank.worst_case_rank, data.peer_rank.compared_year) == (
        14, 19, 2024)
    assert [lever.rank for lever in data.levers] == [1, 2, 3, 4, 5, 7]
    assert data.levers[0].units_short == ("Xã Yên Dũng", "Phường Đa Mai")
    assert data.levers[1].main_index_name_vi == "Hạ tầng số"
    assert [unit.name_vi for unit in data.departments + data.communes_and_wards] == [
        "Sở Khoa học và Công nghệ", "Phường Đa Mai", "Xã Yên Dũng"]
    assert data.units_with_status("missing") == 1
    assert [(unit.name_vi, unit.submission_status) for unit in data.units_to_urge] == [
        ("Xã Yên Dũng", "missing"), ("Sở Khoa học và Công nghệ", "late")]
    assert data.units_to_urge[1].due_date.isoformat() == "2026-01-15"
    assert data.quarantined == ()  # only the period before set a file aside


def test_the_report_reads_what_stands_behind_the_province_dti(marts_conn):
    data = load_report_data(marts_conn, PERIOD, "run-1")

    coverage = data.coverage
    assert (coverage.official_component_count, coverage.components_measured, coverage.components_official,
            coverage.components_proxy, coverage.components_awaiting) == (47, 26, 2, 24, 1)
    assert (coverage.dti_lowest, coverage.dti_highest, coverage.is_estimate) == (0.35, 0.88, True)
    assert coverage.counts_per_main_index_verified is False  # 405 verifies only the total
    assert (coverage.pillar_government, coverage.pillar_economy, coverage.pillar_society) == (0.7, 0.6, 0.5)
    awareness = next(index for index in data.main_indices if index.code == "awareness")
    assert (awareness.components_measured, awareness.value_lowest, awareness.value_highest) == (4, 0.3, 0.9)
    assert (data.peer_rank.rank_range_best, data.peer_rank.rank_range_worst) == (4, 40)
    # only this period's component awaiting the Ministry
    assert [(component.code, component.name_vi) for component in data.awaited_components] == [
        ("8.4", "Tỷ lệ người dân hài lòng khi sử dụng dịch vụ số (khảo sát của Bộ)")]


def test_the_report_rendered_from_the_marts_shows_targets_rank_levers_and_units(marts_conn):
    html = render_report_html(load_report_data(marts_conn, PERIOD, "run-1"), PROVINCE)

    assert 'id="province-dti">0.6123<' in html
    assert "<td class=\"number not-scored\">chưa đo được</td>" in html
    assert "<td class=\"number\">55,3%</td>" in html
    assert "tỉnh đứng <strong>thứ 14</strong> (trường hợp xấu nhất: thứ 19)" in html
    assert "<td>Trung tâm dữ liệu của tỉnh đạt chuẩn</td>" in html
    assert "<td>Xã Yên Dũng, Phường Đa Mai</td>" in html
    assert "<td><strong>Chưa nộp</strong></td>" in html
    assert "<td>09:30 ngày 16/01/2026 (giờ Việt Nam)</td>" in html


def test_the_report_reads_the_runs_validations_the_sources_and_the_english_names(marts_conn):
    data = load_report_data(marts_conn, PERIOD, "run-1")

    assert [(s.suite_name, s.validations, s.passed, s.expectations, s.failed, s.success) for s in data.validations] == [
        ("marts_dti", 1, 1, 9, 0, True), ("raw_submissions", 2, 1, 28, 2, False)]
    assert [(source.value_source, source.files) for source in data.sources] == [
        ("procedure_system", 1), ("unit_reports", 2)]
    assert data.data_as_of.isoformat() == "2026-01-16T23:00:00+00:00"
    assert (data.framework_version, data.framework_name_en) == (
        "405", "Provincial Digital Transformation Index from 2024")
    assert data.province_grade_en == "Average"
    assert [index.name_en for index in data.main_indices] == [
        "Digital awareness", "Digital infrastructure", "Digital government"]
    assert data.dti_target.name_en == "Provincial DTI of 0.75 or higher"
    assert (data.levers[0].name_en, data.levers[0].main_index_name_en) == ("Component 1", "Digital government")
    assert {unit.name_vi: unit.grade_en for unit in data.units} == {
        "Xã Yên Dũng": "Poor", "Sở Khoa học và Công nghệ": "Good", "Phường Đa Mai": "Fair"}


def test_both_reports_rendered_from_the_marts_agree_on_every_figure(marts_conn):
    data = load_report_data(marts_conn, PERIOD, "run-1")
    pages = render_report_pages(data, PROVINCE)
    vietnamese, english = pages["index.html"].decode(), pages["index.en.html"].decode()

    assert re.findall(r'id="province-dti">([^<]*)<', vietnamese) == re.findall(r'id="province-dti">([^<]*)<', english)
    assert "<td>Digital infrastructure</td>" in english and "<td>Hạ tầng số</td>" in vietnamese
    assert "<td class=\"number\">612,35</td>" not in vietnamese  # the province total is in the headline only
    assert "<strong>612,35</strong> / 1.000 điểm" in vietnamese and "<strong>612.35</strong> / 1,000 points" in english
    assert "<td class=\"number\">55,3%</td>" in vietnamese and "<td class=\"number\">55.3%</td>" in english
    for html in (vietnamese, english):
        assert '<tr id="suite-raw_submissions">' in html
        for chart_id in ("chart-main-indices", "chart-targets", "chart-units"):
            assert f'<figure class="chart" id="{chart_id}"' in html
    assert "Dữ liệu tiếp nhận đến: 06:00 ngày 17/01/2026 (giờ Việt Nam)." in vietnamese
    assert "Data received up to: 06:00 on 17/01/2026 (Vietnam time)." in english


NO_DOSSIERS = ("hệ thống thủ tục hành chính không gửi hồ sơ nào nộp trong kỳ 2025-Q4",
               "no dossier received for 2025-Q4")


def test_the_report_reads_which_components_have_no_data_and_why(marts_conn):
    marts_conn.execute(
        "insert into marts.rpt_component_scores values ('2025-Q4', 'province', 'PROVINCE', '6.2', "
        "'Tỷ lệ hồ sơ trực tuyến toàn trình', 'Full-process online dossiers', 'no_data', %s, %s)", NO_DOSSIERS)
    marts_conn.execute("update marts.rpt_province_dti set components_no_data = 1 where period = '2025-Q4'")
    marts_conn.execute(
        "update marts.rpt_target_progress set collect_data_first = true, actual_value = null, gap = null, "
        "is_met = null, no_data_reason_vi = %s, no_data_reason_en = %s "
        "where period = '2025-Q4' and target_code = 'full_process_online_services'", NO_DOSSIERS)
    marts_conn.execute(
        "update marts.rpt_improvement_levers set collect_data_first = true, headroom_points = null, "
        "dti_gain_at_target = 0, closes_gap_to_target = false, no_data_reason_vi = %s, no_data_reason_en = %s "
        "where period = '2025-Q4' and lever_rank = 1", NO_DOSSIERS)

    data = load_report_data(marts_conn, PERIOD, "run-1")

    assert data.coverage.components_no_data == 1
    assert [(c.code, c.name_en, c.reason_vi, c.reason_en) for c in data.no_data_components] == [
        ("6.2", "Full-process online dossiers", *NO_DOSSIERS)]
    target = next(target for target in data.targets if target.code == "full_process_online_services")
    assert (target.collect_data_first, target.actual_value, target.gap, target.no_data_reason_en) == (
        True, None, None, NO_DOSSIERS[1])
    lever = data.levers[0]
    assert (lever.collect_data_first, lever.headroom_points, lever.dti_gain, lever.no_data_reason_vi) == (
        True, None, 0, NO_DOSSIERS[0])
    html = render_report_html(data, PROVINCE)
    assert f"Thu thập dữ liệu trước ({NO_DOSSIERS[0]})" in html


def test_a_period_the_transform_has_not_scored_fails_clearly(marts_conn):
    with pytest.raises(ReportDataMissing, match="no province DTI for period '2026-Q1'"):
        load_report_data(marts_conn, "2026-Q1", "run-1")


def test_a_framework_missing_from_the_reference_seeds_fails_clearly(marts_conn):
    marts_conn.execute("update marts.rpt_province_dti set legal_document = null where catalog_code = '405'")

    with pytest.raises(ReportDataMissing, match="names no legal document for framework '405'"):
        load_report_data(marts_conn, PERIOD, "run-1")
