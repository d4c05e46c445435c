"""``dti trace``: the chain behind one score, from its points to the archived files it came from.

The chain is read from ``marts.rpt_score_trace``; two links are added at trace time:

- the archived original of every source file is hashed again (decrypted first when it is kept
  encrypted, ``dti.archive``) and compared with the sha256 it was registered under, so a changed
  or lost original shows;
- the validations each file went through, from ``audit.validation_results``. The audit table
  records a run and a time, not the files a validation covered, so the rule is: a file was
  validated by the run of the first validation recorded, at or after the file was received, on
  the raw asset that holds its source's rows (``dti.quality.assets.RAW_ASSETS``; any asset for a
  source not listed there), leaving out runs that ``audit.pipeline_runs`` records for another
  period; every validation of that run is shown, the marts suites included. A run lands its files
  before it validates them, so that is the run that landed the file, or, when that run stopped
  before validating, the next run of the period, which validates everything landed for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg.rows import dict_row
from rich.console import Console
from rich.markup import escape

from dti.archive import ArchiveError, original_sha256
from dti.quality.assets import RAW_ASSETS

PROVINCE = "PROVINCE"
TRACE_TABLE = "marts.rpt_score_trace"


class TraceError(LookupError):
    """The score asked for does not exist; the message says what does."""


@dataclass(frozen=True)
class ArchiveCheck:
    """The archived original hashed again: ``matches``, ``mismatch``, ``missing``, or ``unreadable``
    (an encrypted original that fails its authentication check or whose key is not given:
    ``problem`` says which)."""

    status: str
    actual_sha256: str | None = None
    problem: str | None = None

    @property
    def matches(self) -> bool:
        return self.status == "matches"


@dataclass(frozen=True)
class Validation:
    run_id: str
    suite_name: str
    asset_name: str
    success: bool
    evaluated: int
    unsuccessful: int
    validated_at: datetime
    failed_expectations: list


@dataclass(frozen=True)
class SourceFile:
    file_sha256: str
    file_name: str | None
    archived_path: str | None
    file_status: str | None
    submitted_at: datetime | None
    received_at: datetime | None
    loaded_at: datetime | None
    batch_id: str | None
    archive: ArchiveCheck
    validations: tuple[Validation, ...]

    @property
    def validation_run(self) -> str | None:
        return self.validations[0].run_id if self.validations else None


@dataclass(frozen=True)
class ScoreTrace:
    score: dict
    sources: list[dict]
    files: dict[str, SourceFile]

    @property
    def is_province(self) -> bool:
        return self.score["scope_type"] == "province"


def trace_score(url: str, period: str, unit: str, component: str) -> ScoreTrace:
    """The chain behind the points of ``component`` for ``unit`` (``PROVINCE`` for the province)
    in ``period``, with every source file's archive checked and its validations."""
    scope_code = unit.strip().upper() if unit.strip().upper() == PROVINCE else unit.strip()
    with psycopg.connect(url) as conn:
        if conn.execute("select to_regclass(%s)", (TRACE_TABLE,)).fetchone()[0] is None:
            raise TraceError(f"{TRACE_TABLE} is not built in this warehouse: run the pipeline (dti run) first")
        rows = _fetch(conn, f"select * from {TRACE_TABLE} where period = %s and scope_code = %s "
                            "and component_code = %s "
                            "order by source_unit_code nulls first, file_sha256, file_row_number",
                      (period, scope_code, component))
        if not rows:
            raise TraceError(_why_no_score(conn, period, scope_code, component))
        files = {}
        for row in rows:
            sha = row["file_sha256"]
            if sha and sha not in files:
                files[sha] = SourceFile(
                    file_sha256=sha, file_name=row["file_name"], archived_path=row["archived_path"],
                    file_status=row["file_status"], submitted_at=row["submitted_at"], received_at=row["received_at"],
                    loaded_at=row["loaded_at"], batch_id=row["batch_id"],
                    archive=check_archived_file(row["archived_path"], sha),
                    validations=tuple(validations_of_file(conn, row, period)),
                )
    score = {key: rows[0][key] for key in (
        "period", "scope_type", "scope_code", "catalog_code", "component_code", "name_vi", "name_en", "points",
        "score_status", "scoring_rule", "target_value", "max_points", "numerator", "denominator", "component_value",
        "value_source", "province_aggregation")}
    score["scope_name_vi"] = None if score["scope_type"] == "province" else rows[0]["source_unit_name_vi"]
    sources = [row for row in rows if row["source_kind"] is not None]
    return ScoreTrace(score=score, sources=sources, files=files)


def check_archived_file(archived_path: str | None, expected_sha256: str) -> ArchiveCheck:
    """Hash the archived original again and compare it with the sha256 it was registered under."""
    if not archived_path or not Path(archived_path).is_file():
        return ArchiveCheck("missing")
    try:
        actual = original_sha256(Path(archived_path), expected_sha256)
    except ArchiveError as error:
        return ArchiveCheck("unreadable", problem=str(error))
    return ArchiveCheck("matches" if actual == expected_sha256 else "mismatch", actual)


def validations_of_file(conn: psycopg.Connection, file: dict, period: str) -> list[Validation]:
    """Every validation of the run that validated ``file`` (the rule is in the module docstring)."""
    if file["received_at"] is None:
        return []
    if not _columns(conn, "audit", "validation_results"):
        return []
    conditions = ["validated_at >= %s"]
    params: list = [file["received_at"]]
    asset = RAW_ASSETS.get(_source_of(conn, file["file_sha256"]))
    if asset:
        conditions.append("asset_name = %s")
        params.append(asset)
    if {"run_id", "period"} <= _columns(conn, "audit", "pipeline_runs"):
        conditions.append("run_id not in (select run_id from audit.pipeline_runs where period <> %s)")
        params.append(period)
    first = conn.execute(
        f"select run_id from audit.validation_results where {' and '.join(conditions)} order by validated_at limit 1",
        params,
    ).fetchone()
    if first is None:
        return []
    rows = _fetch(conn, "select run_id, suite_name, asset_name, success, evaluated, unsuccessful, validated_at, "
                        "failed_expectations from audit.validation_results where run_id = %s order by validated_at",
                  (first[0],))
    return [Validation(**row) for row in rows]


def print_trace(trace: ScoreTrace, console: Console) -> None:
    """The chain in readable lines: points, rule, value, source rows, files and their validations."""
    score = trace.score

    def say(text: str) -> None:
        # soft_wrap: a sha256 or a path is never broken across lines, so it can be copied whole
        console.print(text, highlight=False, soft_wrap=True)

    scope = "Province" if trace.is_province else f"Unit {score['scope_code']}"
    if score["scope_name_vi"]:
        scope += f" ({score['scope_name_vi']})"
    say(f"[bold]{escape(score['period'])} · {escape(scope)} · component {escape(score['component_code'])}[/] "
        f"(catalog {escape(str(score['catalog_code']))})")
    if score["name_vi"]:
        say(f"  {escape(score['name_vi'])}")
    say(f"  points  {_number(score['points'])} of {_number(score['max_points'])} ({score['score_status']})")
    say(f"  rule    {score['scoring_rule']}, target {_number(score['target_value'])}, "
        f"max {_number(score['max_points'])} points")
    fed_by_units = trace.is_province and score["value_source"] == "unit_reports"
    ratio = f"{_number(score['numerator'])} / {_number(score['denominator'])} = " \
        if score["numerator"] is not None or score["denominator"] is not None else ""
    how = f", {score['province_aggregation']} over units" if fed_by_units else ""
    say(f"  value   {ratio}{_number(score['component_value'])}  (from {score['value_source']}{how})")
    if not trace.sources:
        say("  [yellow]no source row: nothing was received for this score[/]")
    reported = [row for row in trace.sources if row["file_sha256"] is not None]
    if fed_by_units:
        counted = sum(row["counts_in_value"] for row in trace.sources)
        say(f"  fed by  {counted} of {len(trace.sources)} units answering for "
            f"{escape(str(trace.sources[0]['source_component_code']))}:")
    for row in reported:
        say(f"  source  {_source_line(row, trace.is_province)}")
    silent = [row["source_unit_code"] for row in trace.sources
              if row["file_sha256"] is None and row["source_unit_code"]]
    if silent and fed_by_units:
        say(f"  [yellow]no row from {len(silent)} units[/]: {escape(', '.join(silent))}")
    elif silent:
        say("  [yellow]the unit's latest usable submission has no row for this component[/]")
    shown_run = None
    for file in trace.files.values():
        _print_file(file, say, validations_shown=file.validation_run == shown_run)
        shown_run = file.validation_run or shown_run


def _print_file(file: SourceFile, say, validations_shown: bool) -> None:
    say(f"  file    {escape(file.file_name or '—')} ({file.file_status or 'not registered'})")
    say(f"    sha256    {file.file_sha256}")
    say(f"    archived  {escape(file.archived_path or '—')}")
    if file.archive.status == "matches":
        say("    check     [green]archived file sha256 matches[/]")
    elif file.archive.status == "mismatch":
        say(f"    check     [red]WARNING: sha256 mismatch — the archived file hashes to {file.archive.actual_sha256}; "
            "the original was changed after it was received[/]")
    elif file.archive.status == "unreadable":
        say(f"    check     [red]WARNING: the archived original cannot be checked — {escape(file.archive.problem)}[/]")
    else:
        say("    check     [red]WARNING: archived file missing — the original cannot be checked[/]")
    say(f"    submitted {_time(file.submitted_at)} · received {_time(file.received_at)}"
        f" · loaded {_time(file.loaded_at)} · batch {escape(file.batch_id or '—')}")
    if not file.validations:
        say("    [yellow]no validation recorded after the file was received[/]")
        return
    if validations_shown:
        say(f"    validated by run {escape(file.validation_run)} (as above)")
        return
    say(f"    validated by run {escape(file.validation_run)}:")
    for validation in file.validations:
        mark = "[green]✓ passed[/]" if validation.success else "[red]✗ failed[/]"
        say(f"      {mark} {escape(validation.suite_name)} on {escape(validation.asset_name)}: "
            f"{validation.evaluated - validation.unsuccessful} of {validation.evaluated} expectations met "
            f"({_time(validation.validated_at)})")
        for failure in validation.failed_expectations or []:
            column = f" {failure.get('column')}" if failure.get("column") else ""
            say(f"        {escape(str(failure.get('expectation')))}{escape(column)}: "
                f"{escape(str(failure.get('note') or ''))}")


def _source_line(row: dict, is_province: bool) -> str:
    who = f"{row['source_unit_code']} ({row['source_unit_name_vi'] or '?'}) " \
        if is_province and row["source_unit_code"] else ""
    if row["source_kind"] == "self_assessment_row":
        where = f"row {row['file_row_number']} of {row['file_name']}"
        if row["reported_value"] is None:
            reported = (f"numerator {_number(row['reported_numerator'])}, "
                        f"denominator {_number(row['reported_denominator'])} → {_number(row['source_value'])}")
        else:
            reported = f"value {_number(row['reported_value'])}"
        if row["evidence_document"]:
            reported += f", evidence {row['evidence_document']}"
    else:
        where = f"{row['source_kind'].replace('_', ' ')} {row['file_name']} ({row['source_rows']} rows)"
        reported = ", ".join(f"{name} {_number(row['reported_' + name])}" for name in ("numerator", "denominator")
                             if row["reported_" + name] is not None)
    counted = "" if row["counts_in_value"] else " — not counted"
    return escape(f"{who}{where}: {reported}{counted}")


def _why_no_score(conn: psycopg.Connection, period: str, scope_code: str, component: str) -> str:
    periods = [row[0] for row in conn.execute(f"select distinct period from {TRACE_TABLE} order by 1")]
    if period not in periods:
        return f"no scores for period {period}; periods scored: {', '.join(periods) or 'none'}"
    components = [row[0] for row in conn.execute(
        f"select distinct component_code from {TRACE_TABLE} where period = %s and scope_code = %s order by 1",
        (period, scope_code))]
    if not components:
        return (f"unknown unit {scope_code!r}: no unit of that code is scored in {period} "
                f"(use a code of the reporting_units seed, or {PROVINCE} for the province)")
    who = "the province" if scope_code == PROVINCE else f"unit {scope_code}"
    return f"unknown component {component!r} for {who} in {period}; its components: {', '.join(components)}"


def _source_of(conn: psycopg.Connection, file_sha256: str) -> str | None:
    row = conn.execute("select source from raw.landed_files where file_sha256 = %s", (file_sha256,)).fetchone()
    return row[0] if row else None


def _columns(conn: psycopg.Connection, schema: str, table: str) -> set[str]:
    return {row[0] for row in conn.execute(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
        (schema, table))}


def _fetch(conn: psycopg.Connection, query: str, params: Iterable) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(query, params).fetchall()


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float | Decimal):
        return f"{value:.6f}".rstrip("0").rstrip(".") or "0"
    return str(value)


def _time(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "—"
