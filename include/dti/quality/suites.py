"""The expectation suites, defined in code so a review shows every rule next to its meaning.

Each expectation carries a note (``meta``) in Vietnamese and English saying what a failure means.
"""

from __future__ import annotations

import csv
from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe

from dti import settings

RAW_SUBMISSIONS_SUITE = "raw_self_assessment_rows"
MARTS_DTI_SCORES_SUITE = "marts_fct_dti_scores"
MARTS_COMPONENT_SCORES_SUITE = "marts_fct_component_scores"

RAW_SUBMISSION_COLUMNS = [
    "unit_code", "unit_name", "period", "component_code", "component_name", "numerator", "denominator",
    "reported_value",
    "evidence_document", "_batch_id", "_source", "_file_name", "_file_sha256", "_row_number", "_loaded_at",
]


def _note(vi: str, en: str) -> dict:
    return {"notes": {"vi": vi, "en": en}}


def _seed_codes(seed: Path, column: str) -> list[str]:
    with seed.open(encoding="utf-8", newline="") as handle:
        return sorted({row[column] for row in csv.DictReader(handle)})


def raw_submissions_suite() -> gx.ExpectationSuite:
    expectations = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=RAW_SUBMISSION_COLUMNS, exact_match=True,
            meta=_note("Bảng dữ liệu thô thiếu hoặc thừa cột so với mẫu.", "The raw table's columns differ from the template."),
        ),
        *[
            gxe.ExpectColumnValuesToNotBeNull(
                column=column,
                meta=_note(f"Cột {column} bị trống: không xác định được đơn vị, kỳ hoặc chỉ số.",
                           f"{column} is empty: the row cannot be attributed to a unit, period or indicator."),
            )
            for column in ("unit_code", "period", "component_code", "_file_sha256", "_batch_id", "_row_number")
        ],
        gxe.ExpectColumnValuesToBeInSet(
            column="unit_code", value_set=_seed_codes(settings.REPORTING_UNITS_SEED, "unit_code"),
            meta=_note("Mã đơn vị không có trong danh mục đơn vị báo cáo.", "The unit code is not a known reporting unit."),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="component_code", value_set=_seed_codes(settings.UNIT_COMPONENTS_SEED, "component_code"),
            meta=_note("Mã chỉ số không có trong bộ chỉ số.", "The indicator code is not in the indicator catalog."),
        ),
        *[
            gxe.ExpectColumnValuesToBeBetween(
                column=column, min_value=0,
                meta=_note(f"{column} âm: số liệu không hợp lệ.", f"{column} is negative: not a valid count."),
            )
            for column in ("numerator", "denominator", "reported_value")
        ],
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="denominator", column_B="numerator", or_equal=True, ignore_row_if="either_value_is_missing",
            meta=_note("Tử số lớn hơn mẫu số: tỷ lệ vượt 100%.", "Numerator exceeds denominator: a rate above 100%."),
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["_batch_id", "component_code"],
            meta=_note("Một chỉ số được khai nhiều lần trong cùng một lần nộp.", "An indicator appears twice in one submission."),
        ),
    ]
    return gx.ExpectationSuite(name=RAW_SUBMISSIONS_SUITE, expectations=expectations)


def marts_dti_scores_suite() -> gx.ExpectationSuite:
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column="dti_score", min_value=0, max_value=1,
            meta=_note("Điểm DTI nằm ngoài khoảng [0, 1].", "A DTI score lies outside [0, 1]."),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_points", column_B="points", or_equal=True,
            meta=_note("Điểm đạt vượt điểm tối đa.", "Points earned exceed the maximum points."),
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["period", "scope_type", "scope_code"],
            meta=_note("Một đơn vị có nhiều hơn một điểm DTI trong kỳ.", "A unit has more than one DTI score in a period."),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="scope_code", value_set=["PROVINCE", *_seed_codes(settings.REPORTING_UNITS_SEED, "unit_code")],
            meta=_note("Kết quả cho một đơn vị không có trong danh mục.", "A score for a unit outside the unit list."),
        ),
        gxe.ExpectColumnDistinctValuesToContainSet(
            column="scope_code", value_set=["PROVINCE", *_seed_codes(settings.REPORTING_UNITS_SEED, "unit_code")],
            meta=_note("Thiếu kết quả của tỉnh hoặc của một đơn vị trong danh mục: không đơn vị nào được bỏ sót.",
                       "The province or a listed unit has no score: no unit may be left out."),
        ),
    ]
    return gx.ExpectationSuite(name=MARTS_DTI_SCORES_SUITE, expectations=expectations)


def marts_component_scores_suite() -> gx.ExpectationSuite:
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column="points", min_value=0,
            meta=_note("Điểm thành phần âm.", "A component scored negative points."),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_points", column_B="points", or_equal=True,
            meta=_note("Điểm thành phần vượt điểm tối đa.", "A component's points exceed its maximum."),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="component_value", min_value=0, max_value=1,
            row_condition='scoring_rule == "ratio"', condition_parser="pandas",
            meta=_note("Một tỷ lệ nằm ngoài [0, 1]: tử số lớn hơn mẫu số ở đâu đó.",
                       "A rate lies outside [0, 1]: somewhere a numerator exceeds its denominator."),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="score_status", value_set=["scored", "missing"],
            meta=_note("Trạng thái chấm điểm không xác định.", "An unknown scoring status."),
        ),
    ]
    return gx.ExpectationSuite(name=MARTS_COMPONENT_SCORES_SUITE, expectations=expectations)


SUITES = {
    RAW_SUBMISSIONS_SUITE: raw_submissions_suite,
    MARTS_DTI_SCORES_SUITE: marts_dti_scores_suite,
    MARTS_COMPONENT_SCORES_SUITE: marts_component_scores_suite,
}
