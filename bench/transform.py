"""Transform benchmark: the transform stage as the DAG runs it, against a plain `dbt build` of the
same project on the same data, in one run.

It makes the demo period's files (``--scale`` for the dossiers, ``--population-scale`` for the
certificate registers; 1 and 1 are the demo province's size), runs ``dti run`` twice under
``dag.test()`` (the first run lands the data and leaves dbt its partial-parse state, as any run
after the first finds it), and reads the second run's transform stage from Airflow's metadata:
first transform task start to last transform task end. Then, on the same warehouse, it runs
``dbt build`` from the command line twice, as a person would, into a target folder of its own,
and keeps the second (also a partial parse). The server is an embedded PostgreSQL in a temporary
folder, or ``DTI_DATABASE_URL``'s (in databases made for the run and dropped after).

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


def transform_task_spans(airflow_db: Path, dag_id: str) -> tuple[float, float]:
    """The last run's transform stage (wall seconds) and its dbt_build task alone."""
    with sqlite3.connect(airflow_db) as db:
        rows = db.execute(
            "select task_id, start_date, end_date from task_instance where dag_id = ? and run_id = "
            "(select run_id from dag_run where dag_id = ? order by start_date desc limit 1)", (dag_id, dag_id)).fetchall()
    instances = [{"task_id": task_id, "start_date": start, "end_date": end} for task_id, start, end in rows]
    build = [i for i in instances if i["task_id"] == f"transform.{BUILD_TASK_ID}"]
    return stage_seconds(instances)["transform"], stage_seconds(build)["transform"]


def plain_dbt_build(env: dict[str, str], dbt_vars: dict, target: Path) -> float:
    command = [str(Path(sys.executable).with_name("dbt")), "build", "--target", DBT_TARGET, "--target-path",
               str(target), "--project-dir", str(settings.DBT_PROJECT_DIR), "--profiles-dir",
               str(settings.DBT_PROJECT_DIR), "--vars", json.dumps(dbt_vars, ensure_ascii=False)]
    started = time.monotonic()
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if finished.returncode != 0:
        raise SystemExit(f"dbt build failed:\n{finished.stdout[-3000:]}")
    return seconds


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
                for attempt in ("first run (lands the data)", "second run (measured)"):
                    started = time.monotonic()
                    dti(env, "run", "--period", args.period)
                    print(f"dti run, {attempt}: {time.monotonic() - started:.1f} s", flush=True)
                transform_s, build_task_s = transform_task_spans(root / "state" / "airflow" / "airflow.db",
                                                                 province.dag_id)

                dbt_env = {**env, **settings.PostgresParams.from_url(url).dbt_env(), **province.dbt_env(),
                           "DBT_LOG_PATH": str(root / "dbt-logs")}
                cold = plain_dbt_build(dbt_env, dict(province.dbt_vars), root / "dbt-target")
                warm = plain_dbt_build(dbt_env, dict(province.dbt_vars), root / "dbt-target")
            finally:
                deployment = load_deployment(provinces)
                for database in (province.database, deployment.national_database):
                    warehouse.drop_database(url, database)

    print(f"transform stage under dag.test(): {transform_s:.1f} s "
          f"(dbt_build task {build_task_s:.1f} s, the node tasks and scheduling {transform_s - build_task_s:.1f} s)")
    print(f"plain dbt build: {warm:.1f} s (its first, with a full parse: {cold:.1f} s)")
    print(f"transform_vs_dbt_build={transform_s / warm:.2f}")


if __name__ == "__main__":
    main()
