"""The audit trail of runs in the ``audit`` schema: when a run started and ended and what each
stage reported, every dbt node's result, and the checksum of every published file.

Validation results are written by ``dti.quality.validation.record_validation``. Every table here
is append-only (``sql/040_audit.sql`` refuses updates and deletes), so functions only insert.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg

from dti import settings

RUNNING, SUCCESS, FAILED = "running", "success", "failed"
PUBLISH_STAGE = "publish"
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class PublishedFile:
    relative_path: str
    sha256: str
    size_bytes: int


def project_commit(project_root: Path = settings.PROJECT_ROOT) -> str | None:
    """The git commit the project runs from, or None outside a git checkout (e.g. an image)."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project_root, capture_output=True, text=True,
                                timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def record_run_started(conn: psycopg.Connection, run_id: str, period: str) -> None:
    conn.execute(
        "insert into audit.pipeline_runs (run_id, period, status, started_at, git_commit) "
        "values (%s, %s, %s, clock_timestamp(), %s)",
        (run_id, period, RUNNING, project_commit()),
    )


def record_run_ended(conn: psycopg.Connection, run_id: str, period: str, stage_reports: Mapping[str, list]) -> str:
    """Record the end of a run with what its stages reported; returns the status recorded.

    ``stage_reports``: task id -> what its task instances returned (one per file of a mapped task,
    none from a task that failed or never ran). The run succeeded when its last stage, ``publish``,
    reported. The transform's counts come from the dbt results recorded for the run.
    """
    status = SUCCESS if any(stage_reports.get(PUBLISH_STAGE) or ()) else FAILED
    counts = {**stage_reports, "transform": dbt_result_counts(conn, run_id)}
    conn.execute(
        "insert into audit.pipeline_runs (run_id, period, status, started_at, ended_at, git_commit, stage_counts) "
        "select %(run_id)s, %(period)s, %(status)s, coalesce(min(started_at), clock_timestamp()), clock_timestamp(), "
        "       coalesce(max(git_commit), %(commit)s), %(counts)s "
        "from audit.pipeline_runs where run_id = %(run_id)s",
        {"run_id": run_id, "period": period, "status": status, "commit": project_commit(),
         "counts": json.dumps(counts, ensure_ascii=False, default=str)},
    )
    return status


def dbt_result_counts(conn: psycopg.Connection, run_id: str) -> dict[str, dict[str, int]]:
    """resource type -> status -> number of node results recorded for the run."""
    counts: dict[str, dict[str, int]] = {}
    for resource_type, status, count in conn.execute(
        "select resource_type, status, count(*) from audit.dbt_results where run_id = %s group by 1, 2 order by 1, 2",
        (run_id,),
    ):
        counts.setdefault(resource_type, {})[status] = count
    return counts


def record_dbt_results(conn: psycopg.Connection, run_id: str, run_results_path: Path) -> int:
    """Record every node result of one dbt invocation from its ``run_results.json``; returns how many.

    An invocation recorded before (a task re-reading the same file) adds nothing.
    """
    run_results = json.loads(run_results_path.read_text(encoding="utf-8"))
    invocation_id = run_results["metadata"]["invocation_id"]
    command = (run_results.get("args") or {}).get("which")
    rows = [
        (run_id, invocation_id, command, node["unique_id"], node["unique_id"].split(".", 1)[0], node["status"],
         node.get("execution_time"), node.get("failures"), node.get("message"))
        for node in run_results["results"]
    ]
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into audit.dbt_results (run_id, invocation_id, dbt_command, unique_id, resource_type, status, "
            "execution_time, failures, message) values (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "on conflict (invocation_id, unique_id) do nothing",
            rows,
        )
    return len(rows)


def record_published_scores(conn: psycopg.Connection, run_id: str, period: str, province_code: str) -> None:
    """Record the province's DTI, grade, main-index values and what stands behind the DTI (coverage and
    range) of ``period`` as the marts hold them when ``run_id`` publishes them, for the national roll-up."""
    conn.execute(
        "insert into audit.published_scores (run_id, period, province_code, province_name_vi, framework_version, "
        "dti_score, grade_code, grade_vi, main_index_values, coverage) "
        "select %(run_id)s, d.period, %(province)s, d.name_vi, d.catalog_code, d.dti_score, d.grade_code, d.grade_vi, "
        "       coalesce((select jsonb_object_agg(m.main_index_code, m.index_value order by m.main_index_code) "
        "                 from marts.fct_main_index_scores m "
        "                 where m.period = d.period and m.scope_type = 'province'), '{}'::jsonb), "
        "       jsonb_strip_nulls(jsonb_build_object("
        "           'is_estimate', d.is_estimate, 'dti_score_lowest', d.dti_score_lowest, "
        "           'dti_score_highest', d.dti_score_highest, 'official_component_count', d.official_component_count, "
        "           'components_measured', d.components_measured, "
        "           'components_official_measured', d.components_official_measured, "
        "           'components_proxy_measured', d.components_proxy_measured, "
        "           'components_awaiting', d.components_awaiting)) "
        "from marts.fct_dti_scores d where d.period = %(period)s and d.scope_type = 'province'",
        {"run_id": run_id, "period": period, "province": province_code},
    )


def published_files(folder: Path) -> list[PublishedFile]:
    """Every file under ``folder`` with its sha256 and size, by relative path."""
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        files.append(PublishedFile(path.relative_to(folder).as_posix(), digest.hexdigest(), path.stat().st_size))
    return files


def record_publication(conn: psycopg.Connection, run_id: str, period: str, folder: Path) -> int:
    """Record what a run published in ``folder`` and the checksum of each file; returns the publication id."""
    (publication_id,) = conn.execute(
        "insert into audit.publications (run_id, period, path) values (%s, %s, %s) returning publication_id",
        (run_id, period, str(folder)),
    ).fetchone()
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into audit.published_files (publication_id, relative_path, sha256, size_bytes) "
            "values (%s, %s, %s, %s)",
            [(publication_id, f.relative_path, f.sha256, f.size_bytes) for f in published_files(folder)],
        )
    return publication_id
