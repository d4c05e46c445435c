"""One run of the ``dti_pipeline`` DAG in this process with ``dag.test()``: what `make run` does.

Airflow, dbt and GX write pages of logs; they go to a file under ``.dti/logs/`` and the person at
the terminal sees one line per stage. Airflow keeps its metadata in SQLite under ``.dti/airflow``.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psycopg

from dti import settings, warehouse

STAGES = ("extract", "land", "validate_raw", "transform", "validate_marts", "publish")
ERROR_LINE = re.compile(r"^\s*([\w.]+(Error|Exception|Failed|Failure)\b.*)$")


@dataclass
class StageResult:
    stage: str
    state: str
    detail: str = ""


@dataclass
class RunResult:
    run_id: str
    period: str
    state: str
    log_file: Path
    stages: list[StageResult] = field(default_factory=list)
    dti_score: float | None = None
    report_path: Path | None = None
    failed_task: str | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.state == "success"


def airflow_environment() -> dict[str, str]:
    """Airflow settings for an in-process run; set before Airflow is first imported."""
    return {
        "AIRFLOW_HOME": str(settings.AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{settings.AIRFLOW_HOME / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(settings.LOG_DIR / "airflow"),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "NO_COLOR": "1",
        # dbt, airflow and the other console scripts sit beside this interpreter, activated or not.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }


def point_at_warehouse(url: str) -> None:
    """Make every stage of this process (Python tasks and dbt alike) use ``url``."""
    os.environ["DTI_DATABASE_URL"] = url
    os.environ.update(settings.PostgresParams.from_url(url).dbt_env())


def prepare_airflow(log) -> None:
    settings.AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
    os.environ.update(airflow_environment())
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, stdout=log, stderr=subprocess.STDOUT, env=os.environ)


@contextlib.contextmanager
def output_to(log_path: Path):
    """Send everything written to stdout/stderr, by Python or by child processes, to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_path.open("a", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield log
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def run_pipeline(period: str, log_path: Path) -> RunResult:
    """Run the DAG once for ``period`` on the warehouse (embedded unless DTI_DATABASE_URL is set);
    everything the components print goes to ``log_path``."""
    with output_to(log_path) as log, warehouse.warehouse() as url:
        point_at_warehouse(url)
        return run_dag(period, log_path, log)


def run_dag(period: str, log_path: Path, log) -> RunResult:
    """Run the DAG once for ``period`` against the warehouse in ``DTI_DATABASE_URL``."""
    prepare_airflow(log)
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(settings.DAGS_DIR))
    if bag.import_errors:
        errors = "; ".join(f"{path}: {error.strip().splitlines()[-1]}" for path, error in bag.import_errors.items())
        raise RuntimeError(f"the DAG files do not import: {errors}")
    dag = bag.get_dag(settings.DAG_ID)
    dag_run = dag.test(logical_date=datetime.now(timezone.utc), run_conf={"period": period})
    task_states = _task_states(dag_run.run_id)
    result = RunResult(run_id=dag_run.run_id, period=period, state=str(dag_run.state), log_file=log_path)
    _describe_stages(result, task_states)
    if not result.succeeded:
        result.failed_task = next((task for task, state in task_states.items() if state == "failed"), None)
        sys.stdout.flush()
        result.error = last_error_in(log_path)
    return result


def _task_states(run_id: str) -> dict[str, str]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.state)
            .where(TaskInstance.dag_id == settings.DAG_ID, TaskInstance.run_id == run_id)
            .order_by(TaskInstance.start_date)
        ).all()
    return {task_id: str(state) if state else "not run" for task_id, state in rows}


def stage_of(task_id: str) -> str:
    return task_id.split(".", 1)[0]


def _describe_stages(result: RunResult, task_states: dict[str, str]) -> None:
    details = _stage_details(result.period, result.run_id)
    for stage in STAGES:
        states = [state for task, state in task_states.items() if stage_of(task) == stage]
        state = "success" if states and all(s == "success" for s in states) else (
            "failed" if "failed" in states else ("not run" if not states else states[-1]))
        if stage == "transform":
            done = sum(s == "success" for s in states)
            details["transform"] = f"{done}/{len(states)} dbt tasks (seeds, models, tests) succeeded"
        result.stages.append(StageResult(stage, state, details.get(stage, "") if state == "success" else ""))
    if task_states.get("publish") == "success":
        published = settings.OUTPUT_DIR / "reports" / result.period / "index.html"
        result.report_path = published
        result.dti_score = details.get("_dti")


def _stage_details(period: str, run_id: str) -> dict:
    queries = {
        "files": ("select count(*) from raw.landed_files where period = %s", (period,)),
        "quarantined": ("select count(*) from quarantine.rejected_files where period = %s", (period,)),
        "rows": ("select count(*) from raw.self_assessment_rows where period = %s", (period,)),
        "rejected_rows": ("select count(*) from quarantine.rejected_rows r join raw.landed_files f using (file_sha256) "
                          "where f.period = %s", (period,)),
        "raw_checks": ("select coalesce(sum(evaluated), 0), coalesce(sum(unsuccessful), 0) from audit.validation_results "
                       "where run_id = %s and suite_name like 'raw%%'", (run_id,)),
        "mart_checks": ("select coalesce(sum(evaluated), 0), coalesce(sum(unsuccessful), 0) from audit.validation_results "
                        "where run_id = %s and suite_name like 'marts%%'", (run_id,)),
        "dti": ("select dti_score::float8 from marts.fct_dti_scores where period = %s and scope_type = 'province'", (period,)),
        "units": ("select count(*) filter (where submission_status = 'submitted'), count(*) from marts.fct_dti_scores "
                  "where period = %s and scope_type = 'unit'", (period,)),
    }
    values: dict = {}
    with psycopg.connect(settings.database_url()) as conn:
        for name, (query, params) in queries.items():
            try:
                with conn.transaction():
                    values[name] = conn.execute(query, params).fetchone()
            except psycopg.errors.UndefinedTable:
                values[name] = None
    def first(name):
        return values[name][0] if values.get(name) else 0
    raw_checks = values.get("raw_checks") or (0, 0)
    mart_checks = values.get("mart_checks") or (0, 0)
    units = values.get("units") or (0, 0)
    return {
        "extract": f"{first('files') + first('quarantined')} submission files for {period}",
        "land": f"{first('rows')} rows in raw from {first('files')} files; {first('quarantined')} files and "
                f"{first('rejected_rows')} rows quarantined",
        "validate_raw": f"{raw_checks[0]} expectations, {raw_checks[1]} failed",
        "validate_marts": f"{mart_checks[0]} expectations, {mart_checks[1]} failed",
        "publish": f"{units[0]} of {units[1]} units scored",
        "_dti": first("dti") if values.get("dti") else None,
    }


def last_error_in(log_path: Path) -> str | None:
    """The last exception line the log holds: what a person needs to start reading from."""
    last = None
    with log_path.open(encoding="utf-8", errors="replace") as log:
        for line in log:
            match = ERROR_LINE.match(line)
            if match:
                last = match.group(1).strip()
    return last
