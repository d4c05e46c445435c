"""Everything the published report shows, read for one period from the ``rpt_*`` marts made for it
(the run's validations included: ``rpt_run_validations``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, UTC
from decimal import Decimal

import psycopg

from dti.publish.marts import mart_rows
from dti.scoring_rules import display_kind

# The improvement levers every report lists, besides those needed to reach the DTI target.
TOP_LEVERS = 5

# Submission statuses whose rows are scored; a 'rejected' unit sent only files that were set aside.
SCORED_SUBMISSION_STATUSES = ("on_time", "late")


class ReportDataMissing(LookupError):
    """The marts hold nothing the report can be built from for the requested period."""


@dataclass(frozen=True)
class MainIndexValue:
    number: int | None  # main_index_number in the period's framework, the order the Ministry uses
    code: str
    name_vi: str
    index_group: str  # 'foundation' or 'activity'
    points: float
    max_points: float
    value: float | None  # None when the index carries no points (smart city under 922)
    name_en: str | None = None
    # how much of the official framework stands behind it (fct_main_index_scores)
    official_component_count: int | None = None  # None where the decision's count is not verified
    components_measured: int | None = None  # official components measured, by definition or proxy
    value_lowest: float | None = None
    value_highest: float | None = None


@dataclass(frozen=True)
class TargetProgress:
    """One of the province's targets (rpt_target_progress) and where the period stands on it."""

    code: str
    name_vi: str
    value_kind: str  # how its values read: 'dti', 'rank', 'rate', 'yes_no' or 'number'
    comparison: str  # 'at_least' or 'at_most'
    target_value: float
    actual_value: float | None  # None when it could not be measured this period
    gap: float | None
    is_met: bool | None
    previous_actual_value: float | None
    change_since_previous: float | None
    name_en: str | None = None
    # the indicator had no data for the period: the data must be collected before any gap is known
    collect_data_first: bool = False
    no_data_reason_vi: str | None = None
    no_data_reason_en: str | None = None


@dataclass(frozen=True)
class PeerRank:
    """Where the province's DTI would stand among the other provinces' published results."""

    compared_year: int | None
    peers_with_score: int
    estimated_rank: int | None  # the best case: only peers known to be ahead count
    worst_case_rank: int | None
    tenth_place_score: float | None
    gap_to_top10: float | None
    in_top10: bool | None
    rank_range_best: int | None = None  # the best place at the top of the DTI's range
    rank_range_worst: int | None = None  # the worst place at the bottom of it


@dataclass(frozen=True)
class DtiCoverage:
    """How much of the official framework stands behind the province's DTI (fct_dti_scores)."""

    official_component_count: int  # components the decision defines: 98 (922) or 47 (405)
    components_measured: int  # by their official definition or by a provincial proxy
    components_official: int  # by their official definition, from a loaded appendix
    components_proxy: int
    components_awaiting: int  # awaiting the Ministry's value
    dti_lowest: float  # every component not measured at 0 points
    dti_highest: float  # every component not measured at full points
    is_estimate: bool
    counts_per_main_index_verified: bool  # false for 405: only the total of 47 is verified
    pillar_government: float | None = None
    pillar_economy: float | None = None
    pillar_society: float | None = None
    components_no_data: int = 0  # nothing to measure in the period: not measured, like those awaiting


@dataclass(frozen=True)
class AwaitedComponent:
    """A component the Ministry measures whose value has not arrived (chờ Bộ đánh giá)."""

    code: str
    name_vi: str
    name_en: str | None = None


@dataclass(frozen=True)
class ImprovementLever:
    rank: int
    component_code: str
    name_vi: str
    main_index_name_vi: str | None
    responsible_unit_type: str | None
    units_short: Sequence[str]  # names of the units short of full points, weakest first
    headroom_points: float | None  # None without data: the points to gain are unknown
    dti_gain: float  # DTI the province gains at full points on the component
    closes_gap_to_target: bool
    name_en: str | None = None
    main_index_name_en: str | None = None
    # no data for the period: the report says to collect it first, not how many points it holds
    collect_data_first: bool = False
    no_data_reason_vi: str | None = None
    no_data_reason_en: str | None = None


@dataclass(frozen=True)
class UnitScore:
    code: str
    name_vi: str
    unit_type: str  # 'department', 'commune' or 'ward'
    ranking_group: str  # 'department', or 'commune' for communes and wards alike
    submission_status: str  # 'on_time', 'late', 'rejected' or 'missing'
    rank: int | None
    dti_score: float  # 0 for a unit that sent nothing usable: it is ranked, never left out
    grade_vi: str | None
    dti_change: float | None
    components_in_scope: int
    components_missing: int
    grade_en: str | None = None

    @property
    def has_scored_submission(self) -> bool:
        return self.submission_status in SCORED_SUBMISSION_STATUSES

    @property
    def needs_urging(self) -> bool:
        """Late, rejected or missing: the focal point follows these units up."""
        return self.submission_status != "on_time"


@dataclass(frozen=True)
class UnitToUrge:
    """A unit the focal point follows up (fct_submission_status): late, only rejected files, or nothing."""

    code: str
    name_vi: str
    submission_status: str  # 'late', 'rejected' or 'missing'
    due_date: date
    first_accepted_at: datetime | None
    files_rejected: int
    rejection_reasons: str | None  # one rejected file per line, each with what to fix


@dataclass(frozen=True)
class QuarantinedFile:
    """A file, or one row of it, set aside at landing or by the raw quality gate."""

    file_name: str
    reason: str
    unit_code: str | None = None
    row_number: int | None = None  # None when the whole file was set aside
    column_name: str | None = None


@dataclass(frozen=True)
class SuiteValidation:
    """What one expectation suite found in a run (rpt_run_validations), over every asset it checked."""

    suite_name: str
    validations: int  # assets (files, tables) the suite validated
    passed: int
    expectations: int  # expectations evaluated, summed over the validations
    failed: int

    @property
    def success(self) -> bool:
        return self.passed == self.validations


@dataclass(frozen=True)
class NoDataComponent:
    """A province component with nothing to measure in the period (score_status ``no_data``), and why."""

    code: str
    name_vi: str
    reason_vi: str
    name_en: str | None = None
    reason_en: str | None = None


@dataclass(frozen=True)
class DataSource:
    """One kind of source the province's score was computed from (rpt_score_trace)."""

    value_source: str  # 'unit_reports', 'procedure_system' or 'signature_certificates'
    files: int  # files, or API pages, whose rows entered the score
    last_loaded_at: datetime | None


@dataclass(frozen=True)
class ReportData:
    period: str
    run_id: str
    generated_at: datetime
    province_dti_score: float
    province_points: float
    province_max_points: float
    province_grade_vi: str | None
    previous_period: str | None
    previous_dti_score: float | None
    dti_change: float | None
    main_indices: Sequence[MainIndexValue]
    targets: Sequence[TargetProgress]
    peer_rank: PeerRank | None
    levers: Sequence[ImprovementLever]
    units: Sequence[UnitScore]
    units_to_urge: Sequence[UnitToUrge]
    legal_document: str
    quarantined: Sequence[QuarantinedFile]
    province_grade_en: str | None = None
    framework_version: str | None = None
    framework_name_vi: str | None = None
    framework_name_en: str | None = None
    validations: Sequence[SuiteValidation] = ()
    sources: Sequence[DataSource] = ()
    coverage: DtiCoverage | None = None
    awaited_components: Sequence[AwaitedComponent] = ()
    no_data_components: Sequence[NoDataComponent] = ()

    @property
    def data_as_of(self) -> datetime | None:
        """When the last source row the score rests on was received."""
        return max((source.last_loaded_at for source in self.sources if source.last_loaded_at), default=None)

    @property
    def dti_target(self) -> TargetProgress | None:
        return next((target for target in self.targets if target.code == "dti_score"), None)

    @property
    def departments(self) -> list[UnitScore]:
        return self._ranked("department")

    @property
    def communes_and_wards(self) -> list[UnitScore]:
        return self._ranked("commune")

    def _ranked(self, ranking_group: str) -> list[UnitScore]:
        units = [unit for unit in self.units if unit.ranking_group == ranking_group]
        return sorted(units, key=lambda unit: (unit.rank is None, unit.rank or 0, unit.name_vi))

    def units_with_status(self, status: str) -> int:
        return sum(unit.submission_status == status for unit in self.units)

    @property
    def units_submitted(self) -> int:
        return sum(unit.has_scored_submission for unit in self.units)


def load_report_data(conn: psycopg.Connection, period: str, run_id: str) -> ReportData:
    """Read the province score, targets, peer rank, levers and every unit's score for ``period``, the
    validations of ``run_id``, what was set aside and the sources the score rests on: one reader per
    section, each of one ``rpt_*`` mart."""
    province = _read_province(conn, period)
    return ReportData(
        period=period,
        run_id=run_id,
        generated_at=datetime.now(UTC),
        province_dti_score=float(province["dti_score"]),
        province_points=float(province["points"]),
        province_max_points=float(province["max_points"]),
        province_grade_vi=province["grade_vi"],
        province_grade_en=province["grade_en"],
        previous_period=province["previous_period"],
        previous_dti_score=_float_or_none(province["previous_dti_score"]),
        dti_change=_float_or_none(province["dti_change"]),
        main_indices=_read_main_indices(conn, period),
        targets=_read_targets(conn, period),
        peer_rank=_peer_rank(province),
        levers=_read_levers(conn, period),
        units=_read_units(conn, period),
        units_to_urge=_read_units_to_urge(conn, period),
        legal_document=province["legal_document"],
        quarantined=_read_quarantined(conn, period),
        coverage=_coverage(province),
        awaited_components=_read_awaited_components(conn, period),
        no_data_components=_read_no_data_components(conn, period),
        framework_version=province["catalog_code"],
        framework_name_vi=province["framework_name_vi"],
        framework_name_en=province["framework_name_en"],
        validations=_read_validations(conn, run_id),
        sources=_read_sources(conn, period),
    )


def _read_province(conn: psycopg.Connection, period: str) -> dict:
    province = next(iter(mart_rows(conn, "rpt_province_dti", "period = %(period)s", {"period": period})), None)
    if province is None:
        raise ReportDataMissing(
            f"marts.rpt_province_dti has no province DTI for period {period!r}: "
            "run the transform for this period before publishing"
        )
    if province["legal_document"] is None:
        raise ReportDataMissing(
            f"marts.rpt_province_dti names no legal document for framework {province['catalog_code']!r}, "
            f"the one period {period!r} was scored on: is it in the dti_framework_versions seed?"
        )
    return province


def _read_main_indices(conn: psycopg.Connection, period: str) -> tuple[MainIndexValue, ...]:
    rows = mart_rows(conn, "rpt_main_index_scores", "period = %(period)s and scope_type = 'province'",
                     {"period": period}, "display_order")
    return tuple(
        MainIndexValue(
            number=row["main_index_number"],
            code=row["main_index_code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            index_group=row["index_group"],
            points=float(row["points"]),
            max_points=float(row["max_points"]),
            value=_float_or_none(row["index_value"]),
            official_component_count=row["official_component_count"],
            components_measured=row["components_measured"],
            value_lowest=_float_or_none(row["index_value_lowest"]),
            value_highest=_float_or_none(row["index_value_highest"]),
        )
        for row in rows
    )


def _read_targets(conn: psycopg.Connection, period: str) -> tuple[TargetProgress, ...]:
    rows = mart_rows(conn, "rpt_target_progress", "period = %(period)s", {"period": period}, "display_order")
    return tuple(
        TargetProgress(
            code=row["target_code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            value_kind=_target_value_kind(row["metric"], row["scoring_rule"]),
            comparison=row["comparison"],
            target_value=float(row["target_value"]),
            actual_value=_float_or_none(row["actual_value"]),
            gap=_float_or_none(row["gap"]),
            is_met=row["is_met"],
            previous_actual_value=_float_or_none(row["previous_actual_value"]),
            change_since_previous=_float_or_none(row["change_since_previous"]),
            collect_data_first=bool(row["collect_data_first"]),
            no_data_reason_vi=row["no_data_reason_vi"],
            no_data_reason_en=row["no_data_reason_en"],
        )
        for row in rows
    )


def _peer_rank(province: dict) -> PeerRank | None:
    """The rank columns of the province's row; None where no peer rank was estimated for the period."""
    if province["peers_with_score"] is None:
        return None
    return PeerRank(
        compared_year=province["compared_year"],
        peers_with_score=province["peers_with_score"],
        estimated_rank=province["estimated_rank"],
        worst_case_rank=province["worst_case_rank"],
        tenth_place_score=_float_or_none(province["tenth_place_score"]),
        gap_to_top10=_float_or_none(province["gap_to_top10"]),
        in_top10=province["in_top10"],
        rank_range_best=province["rank_range_best"],
        rank_range_worst=province["rank_range_worst"],
    )


def _read_levers(conn: psycopg.Connection, period: str) -> tuple[ImprovementLever, ...]:
    rows = mart_rows(conn, "rpt_improvement_levers",
                     "period = %(period)s and (lever_rank <= %(top)s or closes_gap_to_target)",
                     {"period": period, "top": TOP_LEVERS}, "lever_rank")
    return tuple(
        ImprovementLever(
            rank=row["lever_rank"],
            component_code=row["component_code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            main_index_name_vi=row["main_index_name_vi"],
            main_index_name_en=row["main_index_name_en"],
            responsible_unit_type=row["responsible_unit_type"],
            units_short=tuple(row["units_short_names"] or ()),
            headroom_points=_float_or_none(row["headroom_points"]),
            dti_gain=float(row["dti_gain_at_target"]),
            closes_gap_to_target=bool(row["closes_gap_to_target"]),
            collect_data_first=bool(row["collect_data_first"]),
            no_data_reason_vi=row["no_data_reason_vi"],
            no_data_reason_en=row["no_data_reason_en"],
        )
        for row in rows
    )


def _read_units(conn: psycopg.Connection, period: str) -> tuple[UnitScore, ...]:
    rows = mart_rows(conn, "rpt_unit_ranking", "period = %(period)s", {"period": period}, "unit_code")
    return tuple(
        UnitScore(
            code=row["unit_code"],
            name_vi=row["name_vi"],
            unit_type=row["unit_type"],
            ranking_group=row["ranking_group"],
            submission_status=row["submission_status"],
            rank=row["rank_in_group"],
            dti_score=float(row["dti_score"]),
            grade_vi=row["grade_vi"],
            grade_en=row["grade_en"],
            dti_change=_float_or_none(row["dti_change"]),
            components_in_scope=row["components_in_scope"],
            components_missing=row["components_missing"],
        )
        for row in rows
    )


def _read_units_to_urge(conn: psycopg.Connection, period: str) -> tuple[UnitToUrge, ...]:
    rows = mart_rows(conn, "rpt_units_to_urge", "period = %(period)s", {"period": period}, "urge_order")
    return tuple(
        UnitToUrge(
            code=row["unit_code"],
            name_vi=row["name_vi"],
            submission_status=row["submission_status"],
            due_date=row["due_date"],
            first_accepted_at=row["first_accepted_at"],
            files_rejected=row["files_rejected"],
            rejection_reasons=row["rejection_reasons"],
        )
        for row in rows
    )


def _read_quarantined(conn: psycopg.Connection, period: str) -> tuple[QuarantinedFile, ...]:
    rows = mart_rows(conn, "rpt_quarantined", "period = %(period)s", {"period": period},
                     "file_name, file_row_number nulls first")
    return tuple(
        QuarantinedFile(
            file_name=row["file_name"],
            reason=row["reason"],
            unit_code=row["unit_code"],
            row_number=row["file_row_number"],
            column_name=row["column_name"],
        )
        for row in rows
    )


def _read_awaited_components(conn: psycopg.Connection, period: str) -> tuple[AwaitedComponent, ...]:
    rows = mart_rows(conn, "rpt_component_scores",
                     "period = %(period)s and scope_type = 'province' and score_status = 'awaiting'",
                     {"period": period}, "component_code")
    return tuple(AwaitedComponent(code=row["component_code"], name_vi=row["name_vi"], name_en=row["name_en"])
                 for row in rows)


def _read_no_data_components(conn: psycopg.Connection, period: str) -> tuple[NoDataComponent, ...]:
    rows = mart_rows(conn, "rpt_component_scores",
                     "period = %(period)s and scope_type = 'province' and score_status = 'no_data'",
                     {"period": period}, "component_code")
    return tuple(NoDataComponent(code=row["component_code"], name_vi=row["name_vi"], name_en=row["name_en"],
                                 reason_vi=row["no_data_reason_vi"], reason_en=row["no_data_reason_en"])
                 for row in rows)


def _read_validations(conn: psycopg.Connection, run_id: str) -> tuple[SuiteValidation, ...]:
    rows = mart_rows(conn, "rpt_run_validations", "run_id = %(run_id)s", {"run_id": run_id}, "suite_name")
    return tuple(
        SuiteValidation(
            suite_name=row["suite_name"],
            validations=row["validations"],
            passed=row["validations_passed"],
            expectations=row["expectations_evaluated"],
            failed=row["expectations_failed"],
        )
        for row in rows
    )


def _read_sources(conn: psycopg.Connection, period: str) -> tuple[DataSource, ...]:
    rows = mart_rows(conn, "rpt_score_sources", "period = %(period)s", {"period": period}, "value_source")
    return tuple(
        DataSource(value_source=row["value_source"], files=row["files"], last_loaded_at=row["last_loaded_at"])
        for row in rows
    )


def _target_value_kind(metric: str, scoring_rule: str | None) -> str:
    if metric == "dti_score":
        return "dti"
    if metric == "national_rank":
        return "rank"
    return display_kind(scoring_rule)


def _float_or_none(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _coverage(province: dict) -> DtiCoverage | None:
    """The province row's coverage and range; None where the marts give the row no range."""
    if province["official_component_count"] is None or province["dti_score_lowest"] is None:
        return None
    return DtiCoverage(
        official_component_count=province["official_component_count"],
        components_measured=province["components_measured"],
        components_official=province["components_official_measured"],
        components_proxy=province["components_proxy_measured"],
        components_awaiting=province["components_awaiting"],
        components_no_data=province["components_no_data"],
        dti_lowest=float(province["dti_score_lowest"]),
        dti_highest=float(province["dti_score_highest"]),
        is_estimate=bool(province["is_estimate"]),
        counts_per_main_index_verified=bool(province["component_counts_verified"]),
        pillar_government=_float_or_none(province["pillar_government"]),
        pillar_economy=_float_or_none(province["pillar_economy"]),
        pillar_society=_float_or_none(province["pillar_society"]),
    )
