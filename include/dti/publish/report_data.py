"""Everything the published report shows, read from the marts for one period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

import psycopg
from psycopg.rows import dict_row

# The province's plan (Ministry of Science and Technology article, 17/11/2025): DTI of 0.75 or higher.
PROVINCE_DTI_TARGET = 0.75


class ReportDataMissing(LookupError):
    """The marts hold nothing the report can be built from for the requested period."""


@dataclass(frozen=True)
class MainIndexValue:
    code: str
    name_vi: str
    index_group: str  # 'foundation' or 'activity'
    points: float
    max_points: float
    value: float | None  # None when the index carries no points (smart city)


@dataclass(frozen=True)
class UnitScore:
    code: str
    name_vi: str
    unit_type: str  # 'department', 'commune' or 'ward'
    submission_status: str  # 'computed', 'submitted' or 'missing'
    rank: int | None
    dti_score: float | None

    @property
    def has_submitted(self) -> bool:
        return self.submission_status != "missing"


@dataclass(frozen=True)
class QuarantinedFile:
    """A file, or one row of it, set aside at landing or by the raw quality gate."""

    file_name: str
    reason: str
    unit_code: str | None = None
    row_number: int | None = None  # None when the whole file was set aside
    column_name: str | None = None


@dataclass(frozen=True)
class ReportData:
    period: str
    run_id: str
    generated_at: datetime
    province_dti_score: float
    province_points: float
    province_max_points: float
    main_indices: Sequence[MainIndexValue]
    units: Sequence[UnitScore]
    legal_document: str
    quarantined: Sequence[QuarantinedFile]
    dti_target: float = PROVINCE_DTI_TARGET

    @property
    def units_submitted(self) -> int:
        return sum(unit.has_submitted for unit in self.units)

    @property
    def units_missing(self) -> int:
        return len(self.units) - self.units_submitted

    @property
    def meets_target(self) -> bool:
        return self.province_dti_score >= self.dti_target

    @property
    def distance_to_target(self) -> float:
        """How far the province DTI is above or below the target, always positive."""
        return abs(self.province_dti_score - self.dti_target)


def load_report_data(
    conn: psycopg.Connection, period: str, run_id: str, quarantined: Sequence[QuarantinedFile]
) -> ReportData:
    """Read the province score, its main indices and every unit's score for ``period``."""
    with conn.cursor(row_factory=dict_row) as cur:
        province = cur.execute(
            "select dti_score, points, max_points from marts.fct_dti_scores "
            "where period = %s and scope_type = 'province'",
            (period,),
        ).fetchone()
        if province is None or province["dti_score"] is None:
            raise ReportDataMissing(
                f"marts.fct_dti_scores has no province DTI for period {period!r}: "
                "run the transform for this period before publishing"
            )
        main_indices = cur.execute(
            "select main_index_code, name_vi, index_group, points, max_points, index_value "
            "from marts.fct_main_index_values "
            "where period = %s and scope_type = 'province' "
            "order by main_index_code::int",
            (period,),
        ).fetchall()
        units = cur.execute(
            "select scope_code, name_vi, unit_type, submission_status, rank_in_unit_type, dti_score "
            "from marts.fct_dti_scores "
            "where period = %s and scope_type = 'unit' "
            "order by case unit_type when 'department' then 1 when 'commune' then 2 else 3 end, "
            "rank_in_unit_type nulls last, name_vi",
            (period,),
        ).fetchall()
        # The marts do not carry the framework version: it is the catalog whose components the
        # period was scored against.
        framework = cur.execute(
            "select v.legal_document from reference.dti_framework_versions v "
            "join reference.dti_components c on c.framework_version = v.framework_version "
            "join marts.fct_component_points p "
            "  on p.component_code = c.component_code and p.main_index_code = c.main_index_code "
            "where p.period = %s and p.scope_type = 'province' "
            "group by v.framework_version, v.legal_document "
            "order by count(*) desc, v.framework_version desc limit 1",
            (period,),
        ).fetchone()
        if framework is None:
            raise ReportDataMissing(
                f"no DTI framework version in reference.dti_components matches the components "
                f"scored for period {period!r}"
            )
    return ReportData(
        period=period,
        run_id=run_id,
        generated_at=datetime.now(timezone.utc),
        province_dti_score=float(province["dti_score"]),
        province_points=float(province["points"]),
        province_max_points=float(province["max_points"]),
        main_indices=tuple(
            MainIndexValue(
                code=row["main_index_code"],
                name_vi=row["name_vi"],
                index_group=row["index_group"],
                points=float(row["points"]),
                max_points=float(row["max_points"]),
                value=_float_or_none(row["index_value"]),
            )
            for row in main_indices
        ),
        units=tuple(
            UnitScore(
                code=row["scope_code"],
                name_vi=row["name_vi"],
                unit_type=row["unit_type"],
                submission_status=row["submission_status"],
                rank=row["rank_in_unit_type"],
                dti_score=_float_or_none(row["dti_score"]),
            )
            for row in units
        ),
        legal_document=framework["legal_document"],
        quarantined=tuple(quarantined),
    )


def _float_or_none(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
