"""Transform benchmark: the transform stage as the DAG runs it, against a plain `dbt build` of the
same project on the same data, in one run.

It makes the demo period's files (``--scale`` for the dossiers, ``--population-scale`` for the
certificate registers; 1 and 1 are the demo province's size) and runs ``dti run`` twice under
``dag.test()``. The first run lands the data and leaves dbt its partial-parse state, as any run
after the first finds it; then the warehouse is vacuumed and analysed (``settle``) and ``dbt
build`` runs once from the command line to parse into a target folder of its own. The second run
is measured: its transform stage from Airflow's metadata, first transform task start to last
transform task end. Right after it, on the same warehouse, ``dbt build`` runs again from the
command line, as a person would (a partial parse, as the measured run's), timed. The server is an
embedded PostgreSQL in a temporary folder, or ``DTI_DATABASE_URL``'s (in databases made for the
run and dropped after).

    .venv/bin/python bench/transform.py
    .venv/bin/python bench/transform.py --scale 0.1 --population-scale 0.1   # a quick look

The last line is ``transform_vs_dbt_build=<ratio>`` (lower is better; 1.0 would be no cost over
dbt's own). Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
from scale import provinces_file, stage_seconds

from dti import settings, warehouse
from dti.provinces import load_deployment
from dti.transform import BUILD_TASK_ID, DBT_TARGET


@contextmanager
def server(folder: Path):
    configured = os.environ.get("DTI_DATABASE_URL")
    if configured:
        yield configured
        return
    embedded = warehouse.EmbeddedPostgres(folder / "pg")
    try:
        yield embedded.start()
    finally:
        embedded.stop()


def dti(env: dict[str, str], *args: str) -> None:
    command = [str(Path(sys.executable).with_name("dti")), *args]
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{finished.stdout}{finished.stderr}")


def settle(database_url: str) -> None:
    """VACUUM ANALYZE what the first run landed, as autovacuum would in its own time: a build that
    ran while autovacuum worked through a million fresh rows took a quarter longer, whichever
    build it was, so both builds compared start from a settled server."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("vacuum analyze")


def timed_run(env: dict[str, str], period: str, label: str) -> None:
    started = time.monotonic()
    dti(env, "run", "--period", period)
    print(f"dti run, {label}: {time.monotonic() - started:.1f} s", flush=True)


def transform_task_spans(airflow_db: Path, dag_id: str) -> tuple[float, float]:
    """The last run's transform stage (wall seconds) and its dbt_build task alone."""
    with sqlite3.connect(airflow_db) as db:
        rows = db.execute(
            "select task_id, start_date, end_date from task_instance where dag_id = ? and run_id = "
            "(select run_id from dag_run where dag_id = ? order by start_date desc limit 1)",
            (dag_id, dag_id)).fetchall()
    instances = [{"task_id": task_id, "start_date": start, "end_date": end} for task_id, start, end in rows]
    build = [i for i in instances if i["task_id"] == f"transform.{BUILD_TASK_ID}"]
    return stage_seconds(instances)["transform"], stage_seconds(build)["transform"]


def dbt_run_seconds(log: str) -> float:
    """The seconds dbt says it spent running nodes ("Finished running ... (17.03s).")."""
    finished = [line for line in log.splitlines() if "Finished running" in line]
    return float(finished[-1].rsplit("(", 1)[1].rstrip(").s")) if finished else float("nan")


def last_run_log(log_dir: Path) -> str:
    return max(log_dir.glob("run-*.log"), key=lambda path: path.stat().st_mtime).read_text(encoding="utf-8")


def parse_note(log: str) -> str:
    """Whether the run's build parsed the project afresh, as dbt's log of the run says."""
    reasons = [line.split("  ", 1)[-1].strip() for line in log.splitlines() if "Unable to do partial parsing" in line]
    return f"full parse ({reasons[-1]})" if reasons else "partial parse"


def plain_dbt_build(env: dict[str, str], dbt_vars: dict, target: Path) -> tuple[float, float]:
    """The wall seconds of one `dbt build` from the command line, and those dbt spent running nodes."""
    command = [str(Path(sys.executable).with_name("dbt")), "build", "--target", DBT_TARGET, "--target-path",
               str(target), "--project-dir", str(settings.DBT_PROJECT_DIR), "--profiles-dir",
               str(settings.DBT_PROJECT_DIR), "--vars", json.dumps(dbt_vars, ensure_ascii=False)]
    started = time.monotonic()
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if finished.returncode != 0:
        raise SystemExit(f"dbt build failed:\n{finished.stdout[-3000:]}")
    return seconds, dbt_run_seconds(finished.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--scale", default="1", help="Dossier volume (1 = the demo's).")
    parser.add_argument("--population-scale", default="1", help="Certificate registers (1 = the demo's).")
    parser.add_argument("--province", default=load_deployment().default.code)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dti-bench-transform-") as folder:
        root = Path(folder)
        provinces = provinces_file(root, args.province)
        province = load_deployment(provinces).province(args.province)
        with server(root) as url:
            env = {**os.environ, "DTI_DATABASE_URL": url, "DTI_PROVINCES_FILE": str(provinces),
                   "DTI_STATE_DIR": str(root / "state"), "DTI_OUTPUT_DIR": str(root / "output")}
            try:
                dti(env, "demo-data", "--period", args.period, "--scale", args.scale,
                    "--population-scale", args.population_scale)
                dbt_env = {**env, **settings.PostgresParams.from_url(url).dbt_env(), **province.dbt_env(),
                           "DBT_LOG_PATH": str(root / "dbt-logs")}
                timed_run(env, args.period, "first run (lands the data)")
                settle(settings.database_on_server(url, province.database))
                cold, _ = plain_dbt_build(dbt_env, dict(province.dbt_vars), root / "dbt-target")
                timed_run(env, args.period, "second run (measured)")
                transform_s, build_task_s = transform_task_spans(root / "state" / "airflow" / "airflow.db",
                                                                 province.dag_id)
                run_log = last_run_log(root / "state" / "logs")
                parsed, dag_dbt_s = parse_note(run_log), dbt_run_seconds(run_log)
                after, after_dbt_s = plain_dbt_build(dbt_env, dict(province.dbt_vars), root / "dbt-target")
            finally:
                deployment = load_deployment(provinces)
                for database in (province.database, deployment.national_database):
                    warehouse.drop_database(url, database)

    print(f"transform stage under dag.test(): {transform_s:.1f} s (dbt_build task {build_task_s:.1f} s with a "
          f"{parsed}, of which dbt ran nodes {dag_dbt_s:.1f} s; the node tasks and scheduling "
          f"{transform_s - build_task_s:.1f} s)")
    print(f"plain dbt build: {after:.1f} s, of which dbt ran nodes {after_dbt_s:.1f} s "
          f"(its first, with a full parse: {cold:.1f} s)")
    print(f"transform_vs_dbt_build={transform_s / after:.2f}")


if __name__ == "__main__":
    main()
