"""Unit scorecards: one page per reporting unit with what it answers for, published with the report.

``reports/<period>/units/<unit_code>.html`` shows a unit its DTI, grade and rank, its main
indices, every component of its catalog with value, points and what is still missing, and its
submission status; ``reports/<period>/units/index.html`` lists them. Each page is one
self-contained file (inline CSS, nothing loaded from anywhere) in Vietnamese, linked back to the
report and the portal. Read from the marts only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, UTC
from typing import TYPE_CHECKING

import psycopg

from dti.provinces import Province
from dti.publish.marts import mart_rows
from dti.publish.messages import VIETNAMESE
from dti.publish.templating import page_environment
from dti.scoring_rules import display_kind
from dti.units_of_measure import unit_of_measure_vi

if TYPE_CHECKING:
    from dti.publish.letters import LetterFiles

UNITS_DIR = "units"
UNITS_INDEX = f"{UNITS_DIR}/index.html"
# From a page in reports/<period>/units/ (or reports/latest/units/).
REPORT_HREF = "../index.html"
PORTAL_HREF = "../../../index.html"
SAFE_UNIT_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]*")


@dataclass(frozen=True)
class ComponentScore:
    code: str
    name_vi: str
    main_index_name_vi: str | None
    value_kind: str  # 'rate', 'yes_no' or 'number' (dti.scoring_rules.display_kind)
    unit_of_measure_vi: str | None
    numerator: float | None
    denominator: float | None
    value: float | None
    target_value: float | None
    points: float
    max_points: float
    headroom_points: float | None  # None without data: the points to gain are unknown
    is_missing: bool
    status_vi: str
    provisional: bool
    # nothing to measure in the period (score_status no_data): collect the data first
    collect_data_first: bool = False
    no_data_reason_vi: str | None = None


@dataclass(frozen=True)
class MainIndexScore:
    name_vi: str
    points: float
    max_points: float
    value: float | None
    components_missing: int


@dataclass(frozen=True)
class Scorecard:
    period: str
    code: str
    name_vi: str
    unit_type: str
    ranking_group: str
    rank: int | None
    units_in_group: int
    dti_score: float
    points: float
    max_points: float
    grade_vi: str | None
    previous_period: str | None
    previous_dti_score: float | None
    dti_change: float | None
    points_to_gain: float
    submission_status: str
    due_date: date | None
    first_accepted_at: datetime | None
    file_in_use: str | None
    files_received: int
    files_rejected: int
    rows_rejected_in_use: int
    rejection_reasons: str | None
    main_indices: Sequence[MainIndexScore]
    components: Sequence[ComponentScore]

    @property
    def file_name(self) -> str:
        return f"{self.code}.html"

    @property
    def missing_components(self) -> list[ComponentScore]:
        return [component for component in self.components if component.is_missing]

    @property
    def components_without_data(self) -> list[ComponentScore]:
        return [component for component in self.components if component.collect_data_first]

    @property
    def components_short(self) -> list[ComponentScore]:
        """Components with a value but short of full points, the most points to win first."""
        short = [c for c in self.components if not c.is_missing and c.headroom_points]
        return sorted(short, key=lambda c: (-c.headroom_points, c.code))


def scorecard_files(conn: psycopg.Connection, period: str, province: Province,
                    letters: Mapping[str, LetterFiles] = {}) -> dict[str, bytes]:
    """Every unit's scorecard of ``period`` and their index, as files of the publication
    (paths relative to ``reports/<period>``); a unit with a feedback letter in ``letters`` (by unit
    code, published in the same switch) has its scorecard link it."""
    return render_scorecards(period, load_scorecards(conn, period), datetime.now(UTC), province, letters)


def render_scorecards(period: str, scorecards: Sequence[Scorecard], generated_at: datetime,
                      province: Province, letters: Mapping[str, LetterFiles] = {}) -> dict[str, bytes]:
    links = {"report": REPORT_HREF, "portal": PORTAL_HREF, "units": "index.html"}
    files = {}
    for card in scorecards:
        if not SAFE_UNIT_CODE.fullmatch(card.code):
            raise ValueError(f"unit code {card.code!r} cannot name a scorecard file")
        letter = letters.get(card.code)
        # The letter's paths are relative to reports/<period>; the scorecard is one folder down.
        letter_links = {"html": f"../{letter.html}", "docx": f"../{letter.docx}"} if letter else None
        html = _environment.get_template("scorecard.html.j2").render(
            card=card, links=links, letter=letter_links, generated_at=generated_at, province=province)
        files[f"{UNITS_DIR}/{card.file_name}"] = html.encode("utf-8")
    groups = defaultdict(list)
    for card in sorted(scorecards, key=lambda card: (card.rank is None, card.rank or 0, card.name_vi)):
        groups[card.ranking_group].append(card)
    index = _environment.get_template("scorecards_index.html.j2").render(
        period=period, groups=[(group, groups[group]) for group in ("department", "commune") if group in groups],
        links=links, generated_at=generated_at, province=province)
    files[UNITS_INDEX] = index.encode("utf-8")
    return files


def load_scorecards(conn: psycopg.Connection, period: str) -> list[Scorecard]:
    at_period = {"period": period}
    units = mart_rows(conn, "rpt_unit_ranking", "period = %(period)s", at_period, "unit_code")
    main_indices = mart_rows(conn, "rpt_main_index_scores", "period = %(period)s and scope_type = 'unit'", at_period,
                             "scope_code, display_order")
    components = mart_rows(conn, "rpt_component_scores", "period = %(period)s and scope_type = 'unit'", at_period,
                           "scope_code, catalog_code, component_code")
    indices_by_unit = defaultdict(list)
    for row in main_indices:
        indices_by_unit[row["scope_code"]].append(MainIndexScore(
            name_vi=row["name_vi"], points=float(row["points"]), max_points=float(row["max_points"]),
            value=_float(row["index_value"]), components_missing=row["components_missing"] or 0))
    components_by_unit = defaultdict(list)
    for row in components:
        components_by_unit[row["scope_code"]].append(ComponentScore(
            code=row["component_code"], name_vi=row["name_vi"], main_index_name_vi=row["main_index_name_vi"],
            value_kind=display_kind(row["scoring_rule"]), unit_of_measure_vi=unit_of_measure_vi(row["unit_of_measure"]),
            numerator=_float(row["numerator"]), denominator=_float(row["denominator"]),
            value=_float(row["component_value"]), target_value=_float(row["target_value"]),
            points=float(row["points"]), max_points=float(row["max_points"]),
            headroom_points=_float(row["headroom_points"]), is_missing=row["score_status"] == "missing",
            status_vi=VIETNAMESE.label("score_status", row["score_status"]),
            provisional=bool(row["provisional"]),
            collect_data_first=row["score_status"] == "no_data", no_data_reason_vi=row["no_data_reason_vi"]))
    return [
        Scorecard(
            period=period, code=row["unit_code"], name_vi=row["name_vi"], unit_type=row["unit_type"],
            ranking_group=row["ranking_group"], rank=row["rank_in_group"], units_in_group=row["units_in_group"],
            dti_score=float(row["dti_score"]), points=float(row["points"]), max_points=float(row["max_points"]),
            grade_vi=row["grade_vi"], previous_period=row["previous_period"],
            previous_dti_score=_float(row["previous_dti_score"]), dti_change=_float(row["dti_change"]),
            points_to_gain=float(row["points_to_gain"] or 0), submission_status=row["submission_status"],
            due_date=row["due_date"], first_accepted_at=row["first_accepted_at"], file_in_use=row["file_in_use"],
            files_received=row["files_received"] or 0, files_rejected=row["files_rejected"] or 0,
            rows_rejected_in_use=row["rows_rejected_in_use"] or 0, rejection_reasons=row["rejection_reasons"],
            main_indices=tuple(indices_by_unit[row["unit_code"]]),
            components=tuple(components_by_unit[row["unit_code"]]),
        )
        for row in units
    ]


def _float(value) -> float | None:
    return None if value is None else float(value)


_environment = page_environment()
