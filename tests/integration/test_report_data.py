"""The report reads the marts on real PostgreSQL: a fresh database holds tables in the shape of the
marts and reference seeds the report reads (only the columns it reads), with a few rows of one
period and of the period before it, which the report must leave out.
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
create schema reference;
create schema audit;

create table reference.dti_framework_versions (framework_version text, legal_document text, name_vi text, name_en text);
insert into reference.dti_framework_versions values
    ('922', 'Quyết định 922/QĐ-BTTTT ngày 20/5/2022 của Bộ Thông tin và Truyền thông', 'Bộ chỉ số 2021–2023', null),
    ('405', 'Quyết định 405/QĐ-BKHCN ngày 3/4/2025 của Bộ Khoa học và Công nghệ',
     'Bộ chỉ số đánh giá chuyển đổi số cấp tỉnh từ năm 2024', 'Provincial Digital Transformation Index from 2024');

create table reference.grade_bands (grade_code text, grade_vi text, grade_en text);
insert into reference.grade_bands values
    ('good', 'Tốt', 'Good'), ('fair', 'Khá', 'Fair'), ('average', 'Trung bình', 'Average'), ('poor', 'Kém', 'Poor');

create table reference.dti_main_indices (framework_version text, main_index_code text, main_index_number integer);
insert into reference.dti_main_indices values
    ('405', 'awareness', 1), ('405', 'infrastructure', 3), ('405', 'digital_government', 6),
    ('922', 'digital_government', 7);

create table marts.fct_dti_scores (
    period text, scope_type text, scope_code text, catalog_code text, points numeric, max_points integer,
    dti_score numeric, grade_code text, grade_vi text, previous_period text, previous_dti_score numeric,
    dti_change numeric);
insert into marts.fct_dti_scores values
    ('2025-Q3', 'province', 'PROVINCE', '405', 590, 1000, 0.59, 'average', 'Trung bình', null, null, null),
    ('2025-Q4', 'province', 'PROVINCE', '405', 612.345, 1000, 0.612345, 'average', 'Trung bình', '2025-Q3', 0.59,
     0.022345);

create table marts.fct_main_index_scores (
    period text, scope_type text, scope_code text, catalog_code text, main_index_code text, name_vi text,
    name_en text, index_group text, points numeric, max_points integer, index_value numeric);
insert into marts.fct_main_index_scores values
    ('2025-Q4', 'province', 'PROVINCE', '405', 'digital_government', 'Hoạt động chính quyền số',
     'Digital government', 'activity', 150, 200, 0.75),
    ('2025-Q4', 'province', 'PROVINCE', '405', 'infrastructure', 'Hạ tầng số', 'Digital infrastructure',
     'foundation', 40, 100, 0.4),
    ('2025-Q4', 'province', 'PROVINCE', '405', 'awareness', 'Nhận thức số', 'Digital awareness', 'foundation',
     80.5, 100, 0.805),
    ('2025-Q4', 'unit', 'SKHCN', 'department', 'awareness', 'Nhận thức số', 'Digital awareness', null, 10, 100, 0.1),
    ('2025-Q3', 'province', 'PROVINCE', '405', 'awareness', 'Nhận thức số', 'Digital awareness', 'foundation',
     70, 100, 0.7);

create table marts.fct_component_scores (
    period text, scope_type text, scope_code text, indicator_key text, scoring_rule text);
insert into marts.fct_component_scores values
    ('2025-Q4', 'province', 'PROVINCE', 'data_center_standard', 'boolean'),
    ('2025-Q4', 'province', 'PROVINCE', 'full_process_online_services', 'ratio'),
    ('2025-Q4', 'province', 'PROVINCE', 'digitized_procedures', 'ratio');

create table marts.rpt_target_progress (
    period text, target_code text, name_vi text, metric text, indicator_key text, comparison text,
    target_value numeric, actual_value numeric, gap numeric, is_met boolean, previous_actual_value numeric,
    change_since_previous numeric, name_en text);
insert into marts.rpt_target_progress values
    ('2025-Q4', 'data_center_standard', 'Trung tâm dữ liệu của tỉnh đạt chuẩn', 'indicator',
     'data_center_standard', 'at_least', 1, 0, 1, false, 0, 0),
    ('2025-Q4', 'digitized_procedures', '100% thủ tục hành chính đủ điều kiện được số hóa', 'indicator',
     'digitized_procedures', 'at_least', 1.00, null, null, null, null, null),
    ('2025-Q4', 'dti_score', 'Chỉ số chuyển đổi số (DTI) của tỉnh đạt từ 0,75 trở lên', 'dti_score', null,
     'at_least', 0.75, 0.612345, 0.137655, false, 0.59, 0.022345),
    ('2025-Q4', 'full_process_online_services', 'Tỷ lệ dịch vụ công trực tuyến toàn trình đạt từ 60% trở lên',
     'indicator', 'full_process_online_services', 'at_least', 0.60, 0.553, 0.047, false, 0.541, 0.012),
    ('2025-Q4', 'national_rank', 'Tỉnh thuộc nhóm 10 địa phương dẫn đầu cả nước về DTI', 'national_rank', null,
     'at_most', 10, 14, 4, false, 17, -3),
    ('2025-Q3', 'dti_score', 'Chỉ số chuyển đổi số (DTI) của tỉnh đạt từ 0,75 trở lên', 'dti_score', null,
     'at_least', 0.75, 0.59, 0.16, false, null, null);
update marts.rpt_target_progress set name_en = 'Provincial DTI of 0.75 or higher' where target_code = 'dti_score';

create table marts.rpt_peer_rank (
    period text, compared_year integer, peers_with_score integer, estimated_rank integer,
    worst_case_rank integer, tenth_place_score numeric, gap_to_top10 numeric, in_top10 boolean);
insert into marts.rpt_peer_rank values
    ('2025-Q3', 2024, 11, 17, 20, 0.6511, 0.0611, false),
    ('2025-Q4', 2024, 11, 14, 19, 0.6511, 0.038755, false);

create table marts.rpt_improvement_levers (
    period text, lever_rank integer, component_code text, name_vi text, main_index_code text,
    responsible_unit_type text, units_short text, headroom_points numeric, dti_gain_at_target numeric,
    closes_gap_to_target boolean, name_en text);
insert into marts.rpt_improvement_levers
select '2025-Q4', n, '6.' || n, 'Chỉ số thành phần ' || n, 'digital_government', 'commune',
       case when n = 1 then 'X07246, P07228' end, 50 - n, (50 - n) / 1000.0, n <= 3, 'Component ' || n
from generate_series(1, 8) as n;
update marts.rpt_improvement_levers set closes_gap_to_target = true where lever_rank = 7;
update marts.rpt_improvement_levers
set component_code = '3.1', name_vi = 'Trung tâm dữ liệu của tỉnh đạt chuẩn', main_index_code = 'infrastructure',
    responsible_unit_type = 'focal_point', units_short = 'SKHCN'
where lever_rank = 2;
insert into marts.rpt_improvement_levers values
    ('2025-Q3', 1, '6.1', 'Chỉ số thành phần của kỳ trước', 'digital_government', 'all', null, 60, 0.06, true,
     null);

create table marts.rpt_unit_ranking (
    period text, ranking_group text, rank_in_group integer, unit_code text, name_vi text, unit_type text,
    dti_score numeric, grade_code text, grade_vi text, dti_change numeric, submission_status text,
    components_in_scope integer, components_missing integer);
insert into marts.rpt_unit_ranking values
    ('2025-Q4', 'commune', 2, 'X07246', 'Xã Yên Dũng', 'commune', 0, 'poor', 'Kém', null, 'missing', 12, 12),
    ('2025-Q4', 'department', 1, 'SKHCN', 'Sở Khoa học và Công nghệ', 'department', 0.8123, 'good', 'Tốt', 0.0123,
     'late', 15, 1),
    ('2025-Q4', 'commune', 1, 'P07228', 'Phường Đa Mai', 'ward', 0.70005, 'fair', 'Khá', null, 'on_time', 12, 0),
    ('2025-Q3', 'commune', 1, 'X07246', 'Xã Yên Dũng', 'commune', 0.5, 'average', 'Trung bình', null, 'on_time',
     12, 0);

create table marts.fct_submission_status (
    period text, unit_code text, name_vi text, unit_type text, due_date date, submission_status text,
    first_accepted_at timestamptz, files_rejected integer, rejection_reasons text);
insert into marts.fct_submission_status values
    ('2025-Q4', 'P07228', 'Phường Đa Mai', 'ward', '2026-01-15', 'on_time', '2026-01-10 08:00+07', 0, null),
    ('2025-Q4', 'SKHCN', 'Sở Khoa học và Công nghệ', 'department', '2026-01-15', 'late', '2026-01-16 09:30+07',
     0, null),
    ('2025-Q4', 'X07246', 'Xã Yên Dũng', 'commune', '2026-01-15', 'missing', null, 0, null),
    ('2025-Q3', 'X07246', 'Xã Yên Dũng', 'commune', '2025-10-15', 'late', '2025-10-20 10:00+07', 0, null);

create table marts.rpt_score_trace (
    period text, scope_type text, value_source text, file_name text, loaded_at timestamptz);
insert into marts.rpt_score_trace values
    ('2025-Q4', 'province', 'unit_reports', 'SKHCN_2025-Q4.xlsx', '2026-01-16 09:31+07'),
    ('2025-Q4', 'province', 'unit_reports', 'SKHCN_2025-Q4.xlsx', '2026-01-16 09:31+07'),
    ('2025-Q4', 'province', 'unit_reports', 'P07228_2025-Q4.xlsx', '2026-01-10 08:01+07'),
    ('2025-Q4', 'province', 'procedure_system', 'GET /dossiers?page=1', '2026-01-17 06:00+07'),
    ('2025-Q4', 'unit', 'unit_reports', 'X.xlsx', '2026-02-01 00:00+07'),
    ('2025-Q3', 'province', 'procedure_system', 'GET /dossiers?page=9', '2025-10-17 06:00+07');

create table audit.validation_results (
    run_id text, suite_name text, asset_name text, success boolean, evaluated integer, unsuccessful integer,
    validated_at timestamptz);
insert into audit.validation_results values
    ('run-1', 'raw_submissions', 'SKHCN_2025-Q4.xlsx', true, 14, 0, '2026-01-17 07:00+07'),
    ('run-1', 'raw_submissions', 'P07228_2025-Q4.xlsx', false, 14, 2, '2026-01-17 07:00+07'),
    ('run-1', 'marts_dti', 'fct_dti_scores', false, 9, 1, '2026-01-17 07:10+07'),
    -- the retried validation of the same asset counts, not the first one
    ('run-1', 'marts_dti', 'fct_dti_scores', true, 9, 0, '2026-01-17 07:20+07'),
    ('run-0', 'marts_dti', 'fct_dti_scores', false, 9, 9, '2026-01-16 07:20+07');

-- what stands behind the province's DTI: the coverage and range columns of the marts
alter table reference.dti_framework_versions add column component_counts_verified boolean;
update reference.dti_framework_versions set component_counts_verified = (framework_version = '922');
alter table marts.fct_dti_scores
    add column official_component_count integer, add column components_measured integer,
    add column components_official_measured integer, add column components_proxy_measured integer,
    add column components_awaiting integer, add column dti_score_lowest numeric, add column dti_score_highest numeric,
    add column is_estimate boolean, add column pillar_government numeric, add column pillar_economy numeric,
    add column pillar_society numeric;
update marts.fct_dti_scores
set official_component_count = 47, components_measured = 26, components_official_measured = 2,
    components_proxy_measured = 24, components_awaiting = 1, dti_score_lowest = 0.35, dti_score_highest = 0.88,
    is_estimate = true, pillar_government = 0.7, pillar_economy = 0.6, pillar_society = 0.5
where period = '2025-Q4';
alter table marts.fct_main_index_scores
    add column official_component_count integer, add column components_official_measured integer,
    add column components_proxy_measured integer, add column index_value_lowest numeric,
    add column index_value_highest numeric;
update marts.fct_main_index_scores
set components_official_measured = 1, components_proxy_measured = 3, index_value_lowest = 0.3,
    index_value_highest = 0.9
where period = '2025-Q4' and scope_type = 'province' and main_index_code = 'awareness';
alter table marts.fct_component_scores
    add column component_code text, add column name_vi text, add column name_en text, add column score_status text;
insert into marts.fct_component_scores values
    ('2025-Q4', 'province', 'PROVINCE', 'digital_service_satisfaction', 'ratio', '8.4',
     'Tỷ lệ người dân hài lòng khi sử dụng dịch vụ số (khảo sát của Bộ)', null, 'awaiting'),
    ('2025-Q3', 'province', 'PROVINCE', 'public_service_index', 'ratio', '6.6', 'Chỉ số của kỳ trước', null,
     'awaiting');
alter table marts.rpt_peer_rank add column rank_range_best integer, add column rank_range_worst integer;
update marts.rpt_peer_rank set rank_range_best = 4, rank_range_worst = 40 where period = '2025-Q4';
"""


@pytest.fixture()
def marts_conn(database_url):
    with psycopg.connect(database_url) as conn:
        conn.execute(MARTS)
        yield conn


def test_the_report_reads_every_section_of_the_period_from_the_marts(marts_conn):
    data = load_report_data(marts_conn, PERIOD, "run-1", [])

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
    assert (data.peer_rank.estimated_rank, data.peer_rank.worst_case_rank, data.peer_rank.compared_year) == (14, 19, 2024)
    assert [lever.rank for lever in data.levers] == [1, 2, 3, 4, 5, 7]
    assert data.levers[0].units_short == ("Xã Yên Dũng", "Phường Đa Mai")
    assert data.levers[1].main_index_name_vi == "Hạ tầng số"
    assert [unit.name_vi for unit in data.departments + data.communes_and_wards] == [
        "Sở Khoa học và Công nghệ", "Phường Đa Mai", "Xã Yên Dũng"]
    assert data.units_with_status("missing") == 1
    assert [(unit.name_vi, unit.submission_status) for unit in data.units_to_urge] == [
        ("Xã Yên Dũng", "missing"), ("Sở Khoa học và Công nghệ", "late")]
    assert data.units_to_urge[1].due_date.isoformat() == "2026-01-15"


def test_the_report_reads_what_stands_behind_the_province_dti(marts_conn):
    data = load_report_data(marts_conn, PERIOD, "run-1", [])

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
    html = render_report_html(load_report_data(marts_conn, PERIOD, "run-1", []), PROVINCE)

    assert 'id="province-dti">0.6123<' in html
    assert "<td class=\"number not-scored\">chưa đo được</td>" in html
    assert "<td class=\"number\">55,3%</td>" in html
    assert "tỉnh đứng <strong>thứ 14</strong> (trường hợp xấu nhất: thứ 19)" in html
    assert "<td>Trung tâm dữ liệu của tỉnh đạt chuẩn</td>" in html
    assert "<td>Xã Yên Dũng, Phường Đa Mai</td>" in html
    assert "<td><strong>Chưa nộp</strong></td>" in html
    assert "<td>09:30 ngày 16/01/2026 (giờ Việt Nam)</td>" in html


def test_the_report_reads_the_runs_validations_the_sources_and_the_english_names(marts_conn):
    data = load_report_data(marts_conn, PERIOD, "run-1", [])

    assert [(s.suite_name, s.validations, s.passed, s.expectations, s.failed, s.success) for s in data.validations] == [
        ("marts_dti", 1, 1, 9, 0, True), ("raw_submissions", 2, 1, 28, 2, False)]
    assert [(source.value_source, source.files) for source in data.sources] == [
        ("procedure_system", 1), ("unit_reports", 2)]
    assert data.data_as_of.isoformat() == "2026-01-16T23:00:00+00:00"
    assert (data.framework_version, data.framework_name_en) == ("405", "Provincial Digital Transformation Index from 2024")
    assert data.province_grade_en == "Average"
    assert [index.name_en for index in data.main_indices] == [
        "Digital awareness", "Digital infrastructure", "Digital government"]
    assert data.dti_target.name_en == "Provincial DTI of 0.75 or higher"
    assert (data.levers[0].name_en, data.levers[0].main_index_name_en) == ("Component 1", "Digital government")
    assert {unit.name_vi: unit.grade_en for unit in data.units} == {
        "Xã Yên Dũng": "Poor", "Sở Khoa học và Công nghệ": "Good", "Phường Đa Mai": "Fair"}


def test_both_reports_rendered_from_the_marts_agree_on_every_figure(marts_conn):
    data = load_report_data(marts_conn, PERIOD, "run-1", [])
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


def test_a_period_the_transform_has_not_scored_fails_clearly(marts_conn):
    with pytest.raises(ReportDataMissing, match="no province DTI for period '2026-Q1'"):
        load_report_data(marts_conn, "2026-Q1", "run-1", [])


def test_a_framework_missing_from_the_reference_seeds_fails_clearly(marts_conn):
    marts_conn.execute("delete from reference.dti_framework_versions where framework_version = '405'")

    with pytest.raises(ReportDataMissing, match="no framework '405'"):
        load_report_data(marts_conn, PERIOD, "run-1", [])
