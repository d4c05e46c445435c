"""How a component's unit of measure (``unit_of_measure`` in the catalogs and marts) is written in
Vietnamese: the one home of those words for the submission template's guide, the workbook and the
scorecards. A unit not listed is written as the catalog writes it."""

from __future__ import annotations

UNIT_OF_MEASURE_VI = {
    "%": "%",
    "yes/no": "Có/Không",
    "yes/partly/no": "Có/Một phần/Không",
    "meetings": "cuộc họp",
    "drills": "cuộc diễn tập",
    "people": "người",
    "option": "lựa chọn",
}


def unit_of_measure_vi(unit_of_measure: str | None) -> str | None:
    if unit_of_measure is None:
        return None
    return UNIT_OF_MEASURE_VI.get(unit_of_measure, unit_of_measure)
