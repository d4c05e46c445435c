"""How the workbook and the unit scorecards name a component's status and unit of measure in Vietnamese,
and how its value reads (a rate, yes/no or a count): codes of ``fct_component_scores``."""

from __future__ import annotations

SCORE_STATUS_LABELS = {"scored": "Có dữ liệu", "missing": "Thiếu dữ liệu", "awaiting": "Chờ Bộ đánh giá"}
# What stands behind a province component's definition (dti_components.provenance).
PROVENANCE_LABELS = {
    "official": "Chính thức (phụ lục của Bộ)",
    "provincial_proxy": "Chỉ số thay thế của tỉnh",
    "placeholder": "Giữ chỗ, không thay cho chỉ số chính thức nào",
}
UNIT_OF_MEASURE_LABELS = {
    "%": "%",
    "yes/no": "Có/Không",
    "yes/partly/no": "Có/Một phần/Không",
    "meetings": "cuộc họp",
    "drills": "cuộc diễn tập",
    "people": "người",
    "option": "lựa chọn",
}


def value_kind(scoring_rule: str | None) -> str:
    """'rate' for a ratio (0–1) and for a categorical answer (its share of the points), 'yes_no' for yes/no
    and yes/partly/no answers, 'number' otherwise."""
    return {"ratio": "rate", "categorical": "rate", "boolean": "yes_no", "yes_partial_no": "yes_no"}.get(
        scoring_rule, "number")


def unit_of_measure_label(unit_of_measure: str | None) -> str | None:
    if unit_of_measure is None:
        return None
    return UNIT_OF_MEASURE_LABELS.get(unit_of_measure, unit_of_measure)
