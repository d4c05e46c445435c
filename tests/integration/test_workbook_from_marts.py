"""The workbook read from marts built by dbt on real PostgreSQL: its figures are the marts', and a
unit name or rejection reason submitted as ``=1+1`` stays text."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import psycopg
import pytest

from dti.publish.workbook import workbook_file_name, workbook_files
from tests.helpers import PROVINCE, sheet_records
from tests.scoring_data import DEPARTMENT, PERIOD_2026, SILENT_DEPARTMENT, database_copy

INJECTED = "=1+1"


@pytest.fixture(scope="module")
def scored_url(postgres_server_url, two_period_marts_url):
    with database_copy(postgres_server_url, two_period_marts_url) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            # As if a unit had sent these: text that a spreadsheet would run as a formula.
            conn.execute("update marts.rpt_unit_ranking set name_vi = %s where period = %s and unit_code = %s",
                         (INJECTED, PERIOD_2026, DEPARTMENT))
            conn.execute("update marts.rpt_units_to_urge set rejection_reasons = %s "
                         "where period = %s and unit_code = %s", (INJECTED, PERIOD_2026, SILENT_DEPARTMENT))
        yield url


@pytest.fixture(scope="module")
def workbook(scored_url):
    with psycopg.connect(scored_url) as conn:
        files = workbook_files(conn, PERIOD_2026, PROVINCE)
    assert list(files) == [workbook_file_name(PERIOD_2026)] == ["dti-2026-Q3.xlsx"]
    return openpyxl.load_workbook(BytesIO(files["dti-2026-Q3.xlsx"]))


def marts(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, {"period": PERIOD_2026}).fetchall()


def test_the_sheets_the_ministry_collects(workbook):
    assert workbook.sheetnames == ["Tổng hợp DTI", "Chỉ số chính", "Chỉ số thành phần", "Tiến độ mục tiêu",
                                   "Đòn bẩy cải thiện", "Xếp hạng đơn vị", "Đôn đốc"]
    assert all(sheet.freeze_panes == "A2" for sheet in workbook)


def test_province_dti_is_the_marts_number(workbook, scored_url):
    [(dti_score, points)] = marts(scored_url, "select dti_score, points from marts.fct_dti_scores "
                                              "where period = %(period)s and scope_type = 'province'")
    [summary] = sheet_records(workbook["Tổng hợp DTI"])

    assert summary["DTI"] == pytest.approx(float(dti_score), abs=1e-12)
    assert summary["Tổng điểm đạt"] == pytest.approx(float(points), abs=1e-9)
    assert workbook["Tổng hợp DTI"]["F2"].number_format == "0.0000"


def test_what_stands_behind_the_dti_and_its_main_indices_read_as_officials_print_them(workbook, scored_url):
    [(lowest, highest, measured)] = marts(scored_url, "select dti_score_lowest, dti_score_highest, components_measured "
                                                      "from marts.fct_dti_scores where period = %(period)s "
                                                      "and scope_type = 'province'")
    [summary] = sheet_records(workbook["Tổng hợp DTI"])
    assert summary["Tính chất"] == "Ước tính"
    assert (summary["DTI thấp nhất (thành phần chưa đo đạt 0 điểm)"],
            summary["DTI cao nhất (thành phần chưa đo đạt tối đa)"]) == pytest.approx((float(lowest), float(highest)))
    assert (summary["Chỉ số thành phần đo được"], summary["Số chỉ số thành phần chính thức"]) == (measured, 47)
    year = next(cell for cell in workbook["Tổng hợp DTI"][2] if cell.value == 2026)
    assert year.number_format == "0"  # 2026, not 2,026
    main_indices = sheet_records(workbook["Chỉ số chính"])
    assert [row["Chỉ số chính"] for row in main_indices][:2] == ["Nhận thức số", "Thể chế số"]
    assert not any("awareness" in map(str, row.values()) for row in main_indices)  # named, not keyed


def test_each_targets_actual_value_is_the_marts_value(workbook, scored_url):
    expected = dict(marts(scored_url, "select name_vi, actual_value from marts.rpt_target_progress "
                                      "where period = %(period)s"))
    shown = {row["Mục tiêu"]: row["Thực tế"] for row in sheet_records(workbook["Tiến độ mục tiêu"])}

    assert set(shown) == set(expected) and len(expected) >= 5
    for name, actual in expected.items():
        assert shown[name] == (None if actual is None else pytest.approx(float(actual), abs=1e-12)), name


def test_a_units_dti_is_the_marts_value_and_every_unit_is_listed(workbook, scored_url):
    expected = dict(marts(scored_url, "select scope_code, dti_score from marts.fct_dti_scores "
                                      "where period = %(period)s and scope_type = 'unit'"))
    shown = {row["Mã đơn vị"]: row["DTI"] for row in sheet_records(workbook["Xếp hạng đơn vị"])}

    assert set(shown) == set(expected)
    assert shown["X07822"] == pytest.approx(float(expected["X07822"]), abs=1e-12)
    assert shown[SILENT_DEPARTMENT] == 0


def test_submitted_formula_text_is_text(workbook):
    units = workbook["Xếp hạng đơn vị"]
    [name] = [row[3] for row in units.iter_rows(min_row=2) if row[2].value == DEPARTMENT]
    urging = workbook["Đôn đốc"]
    [reason] = [row[8] for row in urging.iter_rows(min_row=2) if row[0].value == SILENT_DEPARTMENT]

    for cell in (name, reason):
        assert cell.value == INJECTED
        assert cell.data_type == "s" and cell.quotePrefix
