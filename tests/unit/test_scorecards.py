"""A unit's scorecard: a component without data asks for the data first, never for points to gain."""

from __future__ import annotations

import re
from datetime import datetime, UTC

from dti.publish.scorecards import ComponentScore, Scorecard, render_scorecards
from tests.helpers import PROVINCE

PERIOD = "2026-Q2"
NO_CASES = "mẫu số bằng 0 trong kỳ 2026-Q2: không có trường hợp nào để đo"


def component(code, status_vi, points, headroom, value=None, **no_data) -> ComponentScore:
    return ComponentScore(code=code, name_vi=f"Chỉ số {code}", main_index_name_vi="Hoạt động chính quyền số",
                          value_kind="rate", unit_of_measure_vi=None, numerator=None, denominator=None, value=value,
                          target_value=1.0, points=points, max_points=30, headroom_points=headroom, is_missing=False,
                          status_vi=status_vi, provisional=False, **no_data)


def scorecard(*components: ComponentScore) -> Scorecard:
    return Scorecard(
        period=PERIOD, code="X10001", name_vi="Xã Tiên Du", unit_type="commune", ranking_group="commune", rank=1,
        units_in_group=1, dti_score=0.5, points=500, max_points=1000, grade_vi="Trung bình", previous_period=None,
        previous_dti_score=None, dti_change=None, points_to_gain=12, submission_status="on_time", due_date=None,
        first_accepted_at=None, file_in_use="X10001.xlsx", files_received=1, files_rejected=0,
        rows_rejected_in_use=0, rejection_reasons=None, main_indices=(), components=components)


def test_a_component_without_data_says_collect_the_data_first_with_its_reason():
    card = scorecard(
        component("NT01", "Không có dữ liệu", 0, None, collect_data_first=True, no_data_reason_vi=NO_CASES),
        component("NT02", "Có dữ liệu", 18, 12, value=0.6),
    )

    files = render_scorecards(PERIOD, [card], datetime(2026, 10, 1, tzinfo=UTC), PROVINCE)
    html = files["units/X10001.html"].decode("utf-8")

    without_data = re.search(r'<ul id="no-data-components">(.*?)</ul>', html, re.DOTALL).group(1)
    assert re.sub(r"<[^>]+>|\s+", " ", without_data).split() == (
        f"NT01 – Chỉ số NT01: thu thập dữ liệu trước ({NO_CASES})").split()
    short = re.search(r'<ul id="short-components">(.*?)</ul>', html, re.DOTALL).group(1)
    assert "NT02" in short and "NT01" not in short
    row = re.search(r'<tr id="component-NT01"[^>]*>(.*?)</tr>', html, re.DOTALL).group(1)
    assert [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>.*?</td>", row, re.DOTALL)][-2:] == [
        "Thu thập dữ liệu trước", "Không có dữ liệu"]
