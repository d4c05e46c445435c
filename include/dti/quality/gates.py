"""The two quality gates of a run.

- Raw gate: a unit's submission whose rows fail the raw suite is quarantined with the reasons;
  every other unit goes on to be scored. Then every scored source's rows for the period are counted
  (``dti.quality.volumes``): a source with none stops the run before the transform, unless the focal
  point allowed it to be missing; one far below its trailing periods is recorded and reported.
- Marts gate: any failure on the marts stops the run before anything is published. It checks what
  dbt's tests leave to it (``dti.quality.suites`` says which invariant each owns).

Every validation is recorded in ``audit.validation_results`` under the Airflow run id, with the name
its run has in the Data Docs and its page there.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import psycopg

from dti import landing, periods, settings
from dti.provinces import Province
from dti.quality import suites, volumes
from dti.quality.assets import (
    RAW_CERTIFICATES_ASSET,
    RAW_DOSSIERS_ASSET,
    RAW_MINISTRY_ASSET,
    RAW_POPULATION_ASSET,
    RAW_SOURCE_VOLUMES_ASSET,
    RAW_SUBMISSIONS_ASSET,
)
from dti.quality.validation import ValidationSummary, gx_run_name, record_validation, validate_frame

RAW_ROWS_OF_PERIOD = """
select r.unit_code, r.unit_name, r.period, r.component_code, r.component_name,
       r.numerator::float8 as numerator, r.denominator::float8 as denominator,
       r.reported_value::float8 as reported_value, r.evidence_document,
       r._batch_id, r._source, r._file_name, r._file_sha256, r._row_number, r._loaded_at
from raw.self_assessment_rows r
join raw.landed_files f on f.file_sha256 = r._file_sha256 and f.status = 'landed'
where r.period = %s
order by r._loaded_at, r._file_sha256, r._row_number
"""

# Rows of the period each raw source's suite checks; every file keeps its sha256 and row numbers,
# so a failure can be traced to the file, which is then set aside.
RAW_SOURCE_QUERIES = {
    (suites.RAW_DOSSIERS_SUITE, RAW_DOSSIERS_ASSET): """
        select d.dossier_id, d.unit_code, d.channel, d.citizen_pseudonym, d.filed_at, d.updated_at, d.returned_at,
               d._file_name, d._file_sha256, d._row_number
        from raw.dossier_records d
        join raw.landed_files f on f.file_sha256 = d._file_sha256 and f.status = 'landed'
        where (d.filed_at at time zone 'Asia/Ho_Chi_Minh')::date between %(start)s and %(end)s
        order by d._file_sha256, d._row_number""",
    (suites.RAW_CERTIFICATES_SUITE, RAW_CERTIFICATES_ASSET): """
        select c.provider, c.certificate_serial, c.holder_pseudonym, c.nso_ward_code, c.issued_on, c.expires_on,
               c._file_name, c._file_sha256, c._row_number
        from raw.signature_certificates c
        join raw.landed_files f on f.file_sha256 = c._file_sha256 and f.status = 'landed' and f.period = %(period)s
        order by c._file_sha256, c._row_number""",
    (suites.RAW_POPULATION_SUITE, RAW_POPULATION_ASSET): """
        select p.nso_ward_code, p.year, p.adult_population, p._file_name, p._file_sha256, p._row_number
        from raw.adult_population p
        join raw.landed_files f on f.file_sha256 = p._file_sha256 and f.status = 'landed' and f.period = %(period)s
        order by p._file_sha256, p._row_number""",
    (suites.RAW_MINISTRY_SUITE, RAW_MINISTRY_ASSET): """
        select m.component_code, m.value::float8 as value, m.source_document, m._file_name, m._file_sha256,
               m._row_number
        from raw.ministry_component_values m
        join raw.landed_files f on f.file_sha256 = m._file_sha256 and f.status = 'landed' and f.period = %(period)s
        order by m._file_sha256, m._row_number""",
}

MART_QUERIES = {
    (suites.MARTS_DTI_SCORES_SUITE, "fct_dti_scores"):
        # A unit's DTI is its points ÷ its 1000 (the province's formula is dbt's test); the province's
        # estimate lies within its range, which units have not.
        "select period, scope_type, scope_code, points::float8 as points, max_points::float8 as max_points, "
        "dti_score::float8 as dti_score, dti_score_lowest::float8 as dti_score_lowest, "
        "dti_score_highest::float8 as dti_score_highest, "
        "case when scope_type = 'unit' then abs(dti_score - points / max_points) end::float8 as formula_gap, "
        "greatest(dti_score_lowest - dti_score, dti_score - dti_score_highest, 0)::float8 as range_gap "
        "from marts.fct_dti_scores where period = %s",
    (suites.MARTS_MAIN_INDEX_SCORES_SUITE, "fct_main_index_scores"):
        "select period, scope_type, scope_code, main_index_code, points::float8 as points, "
        "max_points::float8 as max_points, index_value::float8 as index_value "
        "from marts.fct_main_index_scores where period = %s",
    (suites.MARTS_COMPONENT_SCORES_SUITE, "fct_component_scores"):
        "select period, scope_type, scope_code, component_code, scoring_rule, points::float8 as points, "
        "max_points::float8 as max_points, component_value::float8 as component_value "
        "from marts.fct_component_scores where period = %s",
}


class MartsValidationFailed(RuntimeError):
    """The marts broke an expectation: publishing would spread a wrong number."""


class SourceDataMissing(RuntimeError):
    """A scored source has no row for the period: its components would be scored as 0."""


def read_frame(conn: psycopg.Connection, query: str, params: tuple | dict) -> pd.DataFrame:
    with conn.cursor() as cursor:
        cursor.execute(query, params)
        columns = [column.name for column in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def validate_and_record(conn: psycopg.Connection, suite_name: str, asset_name: str, frame: pd.DataFrame,
                        period: str, run_id: str, province: Province) -> ValidationSummary:
    """Validate ``frame`` as one validation of the run, named after its period and run id in the Data Docs,
    and record it in the audit."""
    summary = validate_frame(suite_name, asset_name, frame, province, run_name=gx_run_name(period, run_id))
    record_validation(conn, run_id, summary)
    return summary


def validate_raw_submissions(url: str, period: str, run_id: str, province: Province) -> dict:
    """Validate the period's landed rows; quarantine the submissions that fail. Returns counts."""
    with psycopg.connect(url) as conn:
        frame = read_frame(conn, RAW_ROWS_OF_PERIOD, (period,))
        summary = validate_and_record(conn, suites.RAW_SUBMISSIONS_SUITE, RAW_SUBMISSIONS_ASSET, frame, period,
                                      run_id, province)
        reasons = failing_files(summary, frame)
        landing.quarantine_landed_batches(conn, reasons)
    return {"rows": len(frame), "success": summary.success, "failed_expectations": summary.unsuccessful,
            "submissions_quarantined": len(reasons)}


def validate_raw_sources(url: str, period: str, run_id: str, province: Province) -> dict:
    """Validate the period's dossiers, certificate registers, population figures and the Ministry's
    values; a file (or API page) whose rows fail is set aside with the reasons, and the rest is scored."""
    bounds = {"period": period, "start": periods.period_start(period), "end": periods.period_end(period)}
    outcome = {}
    with psycopg.connect(url) as conn:
        for (suite_name, asset_name), query in RAW_SOURCE_QUERIES.items():
            frame = read_frame(conn, query, bounds)
            if frame.empty:
                outcome[asset_name] = {"rows": 0, "files_quarantined": 0}
                continue
            summary = validate_and_record(conn, suite_name, asset_name, frame, period, run_id, province)
            reasons = failing_files(summary, frame)
            landing.quarantine_landed_batches(conn, reasons)
            outcome[asset_name] = {"rows": len(frame), "success": summary.success,
                                   "failed_expectations": summary.unsuccessful, "files_quarantined": len(reasons)}
    return outcome


def validate_raw(url: str, period: str, run_id: str, province: Province,
                 allowed_missing_sources: Iterable[str] = ()) -> dict:
    """The raw gate: every source of the province's period checked, failing files set aside, then
    the rows each scored source delivered for the period counted; raises SourceDataMissing when one
    has none and is not in ``allowed_missing_sources``."""
    allowed = volumes.allowed_missing(allowed_missing_sources)
    return {"submissions": validate_raw_submissions(url, period, run_id, province),
            **validate_raw_sources(url, period, run_id, province),
            "volumes": validate_source_volumes(url, period, run_id, province, allowed)}


def validate_source_volumes(url: str, period: str, run_id: str, province: Province,
                            allowed_missing_sources: frozenset[str] = frozenset(),
                            min_share: float | None = None) -> dict:
    """Count each scored source's rows for the period against its trailing periods' median
    (``min_share`` of it at least, ``settings.VOLUME_MIN_SHARE`` by default) and record the check.
    Returns, per source, its rows, the trailing median and what the check found; raises
    SourceDataMissing, once the validation is recorded, when a source the run needs has no row."""
    share = settings.VOLUME_MIN_SHARE if min_share is None else min_share
    with psycopg.connect(url) as conn:
        counts = volumes.rows_by_period(conn, [period, *volumes.trailing_periods(period)])
        frame = volumes.volume_frame(period, counts, allowed_missing_sources, share)
        summary = validate_and_record(conn, suites.RAW_SOURCE_VOLUMES_SUITE, RAW_SOURCE_VOLUMES_ASSET, frame,
                                      period, run_id, province)
        findings = dict.fromkeys(frame["source"], "ok")
        for failure in summary.failures:
            for index in failure.row_indexes:
                findings[frame.at[index, "source"]] = volume_finding(failure.severity, int(frame.at[index, "rows"]))
        stopping = [volumes.missing_source_reason(conn, province, source, period)
                    for source, finding in findings.items() if finding == "missing"]
    if stopping:
        raise SourceDataMissing("; ".join(stopping))
    return {
        row.source: {"rows": int(row.rows), "finding": findings[row.source],
                     "trailing_median": None if pd.isna(row.trailing_median) else float(row.trailing_median)}
        for row in frame.itertuples()
    }


def volume_finding(severity: str, rows: int) -> str:
    """What a failed volume expectation says of a source: no row and the run stops (a critical
    failure), no row as the focal point allowed, or fewer rows than its trailing periods."""
    if rows == 0:
        return "missing" if severity == "critical" else "missing_allowed"
    return "below_trailing_median"


def failing_files(summary: ValidationSummary, frame: pd.DataFrame) -> dict[str, str]:
    """file sha256 -> the reason, naming each failed rule and the spreadsheet rows that broke it."""
    problems: dict[str, list[str]] = {}
    for failure in summary.failures:
        offending = frame.loc[failure.row_indexes] if failure.row_indexes else frame.iloc[0:0]
        for file_sha256, rows in offending.groupby("_file_sha256"):
            row_numbers = ", ".join(str(n) for n in sorted(rows["_row_number"]))
            column = f" column {failure.column}" if failure.column else ""
            problems.setdefault(file_sha256, []).append(
                f"{failure.note_en} ({failure.expectation}{column}; rows {row_numbers})")
    return {
        file_sha256: f"{frame.loc[frame['_file_sha256'] == file_sha256, '_file_name'].iloc[0]}: " + "; ".join(reasons)
        for file_sha256, reasons in problems.items()
    }


def validate_marts(url: str, period: str, run_id: str, province: Province) -> dict:
    """Validate the period's marts; raise MartsValidationFailed when any expectation fails."""
    failed: list[ValidationSummary] = []
    checked = 0
    with psycopg.connect(url) as conn:
        for (suite_name, asset_name), query in MART_QUERIES.items():
            frame = read_frame(conn, query, (period,))
            if frame.empty:
                raise MartsValidationFailed(f"{asset_name} has no row for period {period}")
            summary = validate_and_record(conn, suite_name, asset_name, frame, period, run_id, province)
            checked += summary.evaluated
            if not summary.success:
                failed.append(summary)
    if failed:
        details = "; ".join(f"{s.asset_name}: {f.note_en} ({f.unexpected_count} rows)"
                            for s in failed for f in s.failures)
        raise MartsValidationFailed(f"marts validation failed for {period}: {details}")
    return {"expectations_checked": checked}
