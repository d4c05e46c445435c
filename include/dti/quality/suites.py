"""The expectation suites, defined in code so a review shows every rule next to its meaning.

Each expectation carries a note (``meta``) in Vietnamese and English saying what a failure means.
Every suite is built for one province, whose unit and ward codes the checks hold; each province's
suites are kept in its own stores of the GX context (``dti.quality.validation.data_context``).

The marts suites are the publication gate's own checks: every number of the period lies in its
range (points within 0 … max points, values, rates and DTIs within 0 … 1, the province's estimate
within its own range) and a unit's DTI is its points ÷ its 1000 points. dbt's build, which stops
the run before this gate when a test fails, owns the rest, and the marts suites do not check it again:

- one row per period and scope: ``unique_combination_of_columns`` of each fct_ model
  (dbt_project/models/marts/_marts__models.yml);
- the province and every unit of the unit list scored every period, no other row:
  ``assert_every_unit_scored_every_period``;
- the scoring statuses: ``accepted_values`` of ``fct_component_scores.score_status``;
- the province's DTI by the Ministry's formula, out of 1000 points:
  ``assert_province_dti_score_follows_the_ministry_formula``;
- a unit's grade from the band of its DTI: ``assert_unit_grades_follow_grade_bands``.
"""

from __future__ import annotations


import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from dti.catalog.seeds import load_components, load_framework_components, load_units
from dti.provinces import Province
from dti.quality import volumes
from dti.scoring_rules import RATIO

RAW_SUBMISSIONS_SUITE = "raw_self_assessment_rows"
MARTS_DTI_SCORES_SUITE = "marts_fct_dti_scores"
MARTS_COMPONENT_SCORES_SUITE = "marts_fct_component_scores"
MARTS_MAIN_INDEX_SCORES_SUITE = "marts_fct_main_index_scores"
RAW_DOSSIERS_SUITE = "raw_dossier_records"
RAW_CERTIFICATES_SUITE = "raw_signature_certificates"
RAW_POPULATION_SUITE = "raw_adult_population"
RAW_MINISTRY_SUITE = "raw_ministry_component_values"
RAW_SOURCE_VOLUMES_SUITE = "raw_source_volumes"

RAW_SUBMISSION_COLUMNS = [
    "unit_code", "unit_name", "period", "component_code", "component_name", "numerator", "denominator",
    "reported_value",
    "evidence_document", "_batch_id", "_source", "_file_name", "_file_sha256", "_row_number", "_loaded_at",
]


def _note(vi: str, en: str) -> dict:
    return {"notes": {"vi": vi, "en": en}}


def _codes(rows: list[dict], column: str) -> list[str]:
    return sorted({row[column] for row in rows})


def raw_submissions_suite(province: Province) -> gx.ExpectationSuite:
    expectations = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=RAW_SUBMISSION_COLUMNS, exact_match=True,
            meta=_note("Bảng dữ liệu thô thiếu hoặc thừa cột so với mẫu.",
                       "The raw table's columns differ from the template."),
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
            column="unit_code", value_set=_codes(load_units(province), "unit_code"),
            meta=_note("Mã đơn vị không có trong danh mục đơn vị báo cáo.",
                       "The unit code is not a known reporting unit."),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="component_code", value_set=_codes(load_components(), "component_code"),
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
            meta=_note("Một chỉ số được khai nhiều lần trong cùng một lần nộp.",
                       "An indicator appears twice in one submission."),
        ),
    ]
    return gx.ExpectationSuite(name=RAW_SUBMISSIONS_SUITE, expectations=expectations)


def _ward_codes(province: Province) -> list[str]:
    return [code for code in _codes(load_units(province), "nso_ward_code") if code]


def raw_dossiers_suite(province: Province) -> gx.ExpectationSuite:
    """Dossier records of the period as the procedure system sent them (every version)."""
    expectations = [
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["dossier_id", "updated_at"],
            meta=_note("Một phiên bản hồ sơ được nhận hai lần.", "A dossier version was received twice."),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="unit_code", value_set=_codes(load_units(province), "unit_code"),
            meta=_note("Hồ sơ của một đơn vị không có trong danh mục đơn vị.",
                       "A dossier belongs to a unit outside the unit list."),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="channel", value_set=["online", "offline"],
            meta=_note("Kênh nộp hồ sơ không xác định.", "An unknown filing channel."),
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="citizen_pseudonym", regex=r"^[0-9a-f]{64}$",
            meta=_note("Mã định danh công dân không được ẩn danh: số CCCD không được lưu trong kho dữ liệu.",
                       "A citizen id is not pseudonymised: id numbers must never be stored in the warehouse."),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="updated_at", column_B="filed_at", or_equal=True,
            meta=_note("Hồ sơ được cập nhật trước khi nộp.", "A dossier was updated before it was filed."),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="returned_at", column_B="filed_at", or_equal=True, ignore_row_if="either_value_is_missing",
            meta=_note("Hồ sơ được trả kết quả trước khi nộp.", "A dossier's result was returned before it was filed."),
        ),
    ]
    return gx.ExpectationSuite(name=RAW_DOSSIERS_SUITE, expectations=expectations)


def raw_certificates_suite(province: Province) -> gx.ExpectationSuite:
    """Certificate registers received for the period, every provider mapped to one schema."""
    expectations = [
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["provider", "certificate_serial"],
            meta=_note("Một chứng thư số xuất hiện hai lần trong danh sách của nhà cung cấp.",
                       "A certificate appears twice in its provider's registers."),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="nso_ward_code", value_set=_ward_codes(province),
            meta=_note("Mã xã, phường của chủ thể không thuộc tỉnh.",
                       "The holder's ward code is not one of the province's."),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="expires_on", column_B="issued_on", or_equal=False,
            meta=_note("Chứng thư hết hạn trước hoặc đúng ngày cấp.",
                       "A certificate expires on or before its issue date."),
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="holder_pseudonym", regex=r"^[0-9a-f]{64}$",
            meta=_note("Mã định danh chủ thể không được ẩn danh.", "A holder's id is not pseudonymised."),
        ),
    ]
    return gx.ExpectationSuite(name=RAW_CERTIFICATES_SUITE, expectations=expectations)


def raw_population_suite(province: Province) -> gx.ExpectationSuite:
    """The statistics office's adult population by commune or ward and year."""
    expectations = [
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["_file_sha256", "nso_ward_code", "year"],
            meta=_note("Một xã, phường có hai số liệu dân số cho cùng một năm.",
                       "A ward has two figures for the same year."),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="nso_ward_code", value_set=_ward_codes(province),
            meta=_note("Mã xã, phường không thuộc tỉnh.", "The ward code is not one of the province's."),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="adult_population", min_value=1, max_value=500_000,
            meta=_note("Dân số trưởng thành của một xã, phường không hợp lý.",
                       "A ward's adult population is implausible."),
        ),
    ]
    return gx.ExpectationSuite(name=RAW_POPULATION_SUITE, expectations=expectations)


def _ministry_component_codes() -> list[str]:
    """Codes of the components the Ministry measures, in any framework of the catalog."""
    return _codes([row for row in load_framework_components() if row["value_source"] == "ministry"], "component_code")


def raw_ministry_suite(province: Province) -> gx.ExpectationSuite:
    """The values the Ministry measured itself, received for the period."""
    expectations = [
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["_file_sha256", "component_code"],
            meta=_note("Một chỉ số có hai giá trị trong cùng một tệp số liệu của Bộ.",
                       "A component has two values in one file of the Ministry's values."),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="component_code", value_set=_ministry_component_codes(),
            meta=_note("Chỉ số không do Bộ đánh giá.", "The component is not one the Ministry measures."),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=0,
            meta=_note("Giá trị âm: số liệu không hợp lệ.", "A negative value: not a valid figure."),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="source_document",
            meta=_note("Giá trị không ghi văn bản hoặc nguồn của Bộ.",
                       "A value without the Ministry's document or source behind it."),
        ),
    ]
    return gx.ExpectationSuite(name=RAW_MINISTRY_SUITE, expectations=expectations)


def raw_source_volumes_suite(province: Province) -> gx.ExpectationSuite:
    """The period's rows of each scored source against its trailing periods (``dti.quality.volumes``
    builds the frame). Only the first expectation is critical, and stops the run when it fails; the
    warnings are recorded and reported without stopping it."""
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column="rows", min_value=1, row_condition=Column("requirement") == volumes.REQUIRED,
            meta=_note("Nguồn dữ liệu không có dòng nào cho kỳ: chỉ số tính từ nguồn này sẽ thành 0 điểm.",
                       "A source delivered no row for the period: the components it feeds would score 0."),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rows", min_value=1, row_condition=Column("requirement") == volumes.ALLOWED_MISSING,
            severity="warning",
            meta=_note("Nguồn dữ liệu không có dòng nào cho kỳ; đầu mối cho phép công bố khi thiếu nguồn này.",
                       "A source delivered no row for the period; the focal point allowed publishing without it."),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rows", column_B="least_expected_rows", or_equal=True, ignore_row_if="either_value_is_missing",
            # a source with no row at all is reported by the two expectations above
            row_condition=Column("rows") > 0, severity="warning",
            meta=_note("Số dòng của kỳ thấp hơn tỷ lệ tối thiểu (DTI_VOLUME_MIN_SHARE) của trung vị các kỳ trước.",
                       "The period's rows fall below the least share (DTI_VOLUME_MIN_SHARE) of the trailing "
                       "periods' median."),
        ),
    ]
    return gx.ExpectationSuite(name=RAW_SOURCE_VOLUMES_SUITE, expectations=expectations)


def marts_dti_scores_suite(province: Province) -> gx.ExpectationSuite:
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column="dti_score", min_value=0, max_value=1,
            meta=_note("Điểm DTI nằm ngoài khoảng [0, 1].", "A DTI score lies outside [0, 1]."),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="points", min_value=0,
            meta=_note("Tổng điểm âm.", "Points earned are negative."),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_points", column_B="points", or_equal=True,
            meta=_note("Điểm đạt vượt điểm tối đa.", "Points earned exceed the maximum points."),
        ),
        *[
            gxe.ExpectColumnValuesToBeBetween(
                column=column, min_value=0, max_value=1,
                meta=_note("Khoảng giá trị DTI của tỉnh vượt ra ngoài [0, 1].",
                           "The province's DTI range reaches outside [0, 1]."),
            )
            for column in ("dti_score_lowest", "dti_score_highest")
        ],
        gxe.ExpectColumnValuesToBeBetween(
            column="range_gap", min_value=0, max_value=1e-9,
            meta=_note("DTI ước tính của tỉnh nằm ngoài khoảng giá trị của nó.",
                       "The province's estimated DTI lies outside its own range."),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="formula_gap", min_value=0, max_value=1e-9,
            meta=_note("Điểm DTI của đơn vị khác tổng điểm ÷ 1000.", "A unit's DTI differs from its points ÷ 1000."),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="max_points", value_set=[1000], row_condition=Column("scope_type") == "unit",
            meta=_note("Điểm tối đa của bộ chỉ số của đơn vị khác 1000.",
                       "A unit catalog's maximum points are not 1000."),
        ),
    ]
    return gx.ExpectationSuite(name=MARTS_DTI_SCORES_SUITE, expectations=expectations)


def marts_component_scores_suite(province: Province) -> gx.ExpectationSuite:
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
            row_condition=Column("scoring_rule") == RATIO,
            meta=_note("Một tỷ lệ nằm ngoài [0, 1]: tử số lớn hơn mẫu số ở đâu đó.",
                       "A rate lies outside [0, 1]: somewhere a numerator exceeds its denominator."),
        ),
    ]
    return gx.ExpectationSuite(name=MARTS_COMPONENT_SCORES_SUITE, expectations=expectations)


def marts_main_index_scores_suite(province: Province) -> gx.ExpectationSuite:
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column="index_value", min_value=0, max_value=1,
            meta=_note("Giá trị chỉ số chính nằm ngoài [0, 1].", "A main-index value lies outside [0, 1]."),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="points", min_value=0,
            meta=_note("Điểm chỉ số chính âm.", "A main index scored negative points."),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_points", column_B="points", or_equal=True,
            meta=_note("Điểm chỉ số chính vượt điểm tối đa.", "A main index's points exceed its maximum."),
        ),
    ]
    return gx.ExpectationSuite(name=MARTS_MAIN_INDEX_SCORES_SUITE, expectations=expectations)


# Suite name -> the function building it for a province.
SUITES = {
    RAW_SUBMISSIONS_SUITE: raw_submissions_suite,
    MARTS_DTI_SCORES_SUITE: marts_dti_scores_suite,
    MARTS_COMPONENT_SCORES_SUITE: marts_component_scores_suite,
    MARTS_MAIN_INDEX_SCORES_SUITE: marts_main_index_scores_suite,
    RAW_DOSSIERS_SUITE: raw_dossiers_suite,
    RAW_CERTIFICATES_SUITE: raw_certificates_suite,
    RAW_POPULATION_SUITE: raw_population_suite,
    RAW_MINISTRY_SUITE: raw_ministry_suite,
    RAW_SOURCE_VOLUMES_SUITE: raw_source_volumes_suite,
}
