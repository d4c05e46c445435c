"""The pipeline on Airflow's distributed engine, as the docker-compose stack runs it, without Docker:
api-server, scheduler, dag-processor and Celery workers as processes, the metadata in a fresh
database on the machine's PostgreSQL, the machine's Redis as the broker.

Two provinces (Bắc Ninh and the test fixture's Thử Nghiệm) run in the one deployment at the same
time, each triggered through the REST API. While Bắc Ninh's submissions are landing, the Celery
worker is killed the way a crashed machine would die; the scheduler notices the lost task, a new
worker retries it, and both runs still succeed: each province's warehouse holds only its own data,
nothing is landed twice, both reports are published, the national roll-up holds both provinces,
and no process the deployment started outlives it.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg
import pytest
import yaml

from dti import settings
from dti.provinces import Deployment
from dti.publish.formatting import format_dti_value
from tests.helpers import TWO_PROVINCES, project_with_test_province
from tests.stack.local_stack import AirflowStack, DemoDeployment

pytestmark = pytest.mark.stack

PERIOD = "2026-Q3"
# A twentieth of a month's dossiers: enough pages to land, little enough to keep the run short.
DOSSIER_SCALE = 0.05
KILLED_PROVINCE = "bac_ninh"
SERVER_URL = os.environ.get("DTI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BROKER_URL = os.environ.get("DTI_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")
RUN_TIMEOUT_SECONDS = 3600
PROJECT = Path(__file__).parents[2]


@dataclass
class DistributedRun:
    deployment: Deployment
    run_states: dict[str, str]
    task_instances: dict[str, list[dict]]
    killed_task: dict
    killed_pids: list[int]
    rollup_state: str | None
    survivors: list[int] = field(default_factory=list)
    strays: list[int] = field(default_factory=list)


@pytest.fixture(scope="module")
def distributed_run(tmp_path_factory) -> DistributedRun:
    root = tmp_path_factory.mktemp("stack")
    project = _project_with_test_province(root)
    with pytest.MonkeyPatch.context() as patch:
        # This process reads the deployment as its services do: the project copy, the deployment's folders.
        patch.setattr(settings, "DBT_PROJECT_DIR", project / "dbt_project")
        patch.setattr(settings, "OUTPUT_ROOT_DIR", root / "output")
        patch.setattr(settings, "ARCHIVE_ROOT_DIR", root / "archive")
        patch.setattr(settings, "INBOX_ROOT_URL", str(root / "inbox"))
        patch.setenv("DTI_DATABASE_URL", SERVER_URL)
        deployment = DemoDeployment(root, _provinces_file(root), SERVER_URL, BROKER_URL, PERIOD,
                                    dossier_scale=DOSSIER_SCALE, project_dir=project)
        try:
            with deployment:
                result = _run_both_provinces(deployment)
            result.survivors = deployment.survivors
            result.strays = _processes_of(deployment.stack.config.home / "airflow")
            yield result
        finally:
            deployment.drop_databases()


def _run_both_provinces(deployment: DemoDeployment) -> DistributedRun:
    stack = deployment.stack
    assert stack.import_errors() == []
    run_ids = {p.dag_id: deployment.trigger(p.code) for p in deployment.deployment.provinces}

    killed_dag = deployment.deployment.province(KILLED_PROVINCE).dag_id
    landing = stack.wait_for_task_state(killed_dag, run_ids[killed_dag], "land.submissions", "running")
    killed_pids = stack.kill(stack.workers()[0])
    stack.start_worker()

    run_states = {dag_id: stack.wait_for_run(dag_id, run_id, RUN_TIMEOUT_SECONDS) for dag_id, run_id in run_ids.items()}
    task_instances = {dag_id: stack.task_instances(dag_id, run_id) for dag_id, run_id in run_ids.items()}
    rollup_state = None
    if set(run_states.values()) == {"success"}:
        rollup_state = _settled_rollup(stack, max(_publish_end(tis) for tis in task_instances.values()))
    return DistributedRun(deployment.deployment, run_states, task_instances, landing, killed_pids, rollup_state)


def _publish_end(task_instances: list[dict]) -> str:
    return next(ti["end_date"] for ti in task_instances if ti["task_id"] == "publish")


def _settled_rollup(stack: AirflowStack, last_publication: str) -> str:
    """The state of the national roll-up's run that started after the last province published
    (the asset events of both publications are in by then)."""
    finished: dict[str, str] = {}

    def settled() -> bool:
        runs = [run for run in stack.dag_runs(settings.NATIONAL_DAG_ID)
                if (run["start_date"] or "") >= last_publication]
        if runs and all(run["state"] in ("success", "failed") for run in runs):
            finished["state"] = runs[-1]["state"]
            return True
        return False

    stack.wait_until(settled, RUN_TIMEOUT_SECONDS, "the national roll-up after both publications", interval=5)
    return finished["state"]


def _project_with_test_province(root: Path) -> Path:
    """A copy of the project whose dbt_project/provinces/ also holds the test province's seeds."""
    project = root / "project"
    project.mkdir()
    for folder in ("dags", "expectations"):
        shutil.copytree(PROJECT / folder, project / folder, ignore=shutil.ignore_patterns("uncommitted", "__pycache__"))
    project_with_test_province(project)
    return project


def _provinces_file(root: Path) -> Path:
    """The two-province fixture with warehouse and national databases of this run's own."""
    suffix = secrets.token_hex(4)
    document = yaml.safe_load(TWO_PROVINCES.read_text(encoding="utf-8"))
    for province in document["provinces"]:
        province["database"] = f"dti_stack_{suffix}_{province['code']}"
    document["national"] = {"database": f"dti_stack_{suffix}_national"}
    path = root / "provinces.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _processes_of(airflow_home: Path) -> list[int]:
    """Processes anywhere on the machine whose environment names this deployment's AIRFLOW_HOME."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("AIRFLOW_HOME") == str(airflow_home):
                found.append(process.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def test_both_provinces_succeed_although_a_worker_died_mid_landing(distributed_run):
    assert set(distributed_run.run_states.values()) == {"success"}, distributed_run.run_states
    killed_dag = distributed_run.deployment.province(KILLED_PROVINCE).dag_id
    landing = next(ti for ti in distributed_run.task_instances[killed_dag] if ti["task_id"] == "land.submissions")
    # The attempt the dead worker was running was lost; a later one, on the new worker, succeeded.
    assert landing["state"] == "success"
    assert landing["try_number"] > distributed_run.killed_task["try_number"]
    assert distributed_run.killed_pids


def test_no_process_of_the_deployment_outlives_it(distributed_run):
    assert distributed_run.survivors == []
    assert distributed_run.strays == []
    assert not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
                   for pid in distributed_run.killed_pids)


def _units(url: str, query: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute(query).fetchall() if row[0] is not None}


def test_each_province_sees_only_its_own_units(distributed_run):
    provinces = distributed_run.deployment.provinces
    own_units = {p.code: _seed_units(p.reporting_units_seed) for p in provinces}
    assert not own_units["bac_ninh"] & own_units["thu_nghiem"]
    for province in provinces:
        url = province.warehouse_url()
        landed = _units(url, "select unit_code from raw.landed_files "
                             "union select unit_code from quarantine.rejected_files")
        scored = _units(url, "select scope_code from marts.fct_dti_scores where scope_type = 'unit'")
        assert landed and landed <= own_units[province.code], province.code
        assert scored == own_units[province.code], province.code


def _seed_units(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["unit_code"] for row in csv.DictReader(handle)}


ROWS_PER_FILE = {
    "raw.self_assessment_rows": "_file_sha256",
    "raw.signature_certificates": "_file_sha256",
    "raw.adult_population": "_file_sha256",
    "raw.dossier_records": "_file_sha256",
}


def test_nothing_is_landed_twice(distributed_run):
    for province in distributed_run.deployment.provinces:
        with psycopg.connect(province.warehouse_url()) as conn:
            for table, key in ROWS_PER_FILE.items():
                # Every file's rows are there exactly as many times as landing counted them.
                mismatched = conn.execute(
                    f"select f.file_name, f.row_count, count(r.{key}) from raw.landed_files f "
                    f"join {table} r on r.{key} = f.file_sha256 group by 1, 2 having count(r.{key}) <> f.row_count"
                ).fetchall()
                assert mismatched == [], (province.code, table, mismatched[:5])
            doubled_rejections = conn.execute(
                "select file_sha256, row_number, column_name, reason, count(*) from quarantine.rejected_rows "
                "group by 1, 2, 3, 4 having count(*) > 1").fetchall()
            assert doubled_rejections == [], province.code
            doubled_scores = conn.execute(
                "select period, scope_type, scope_code from marts.fct_dti_scores group by 1, 2, 3 having count(*) > 1"
            ).fetchall()
            assert doubled_scores == [], province.code


def test_each_province_publishes_its_report(distributed_run):
    for province in distributed_run.deployment.provinces:
        report = province.output_dir / "reports" / PERIOD / "index.html"
        html = report.read_text(encoding="utf-8")
        with psycopg.connect(province.warehouse_url()) as conn:
            score = conn.execute("select dti_score::float8 from marts.fct_dti_scores "
                                 "where period = %s and scope_type = 'province'", (PERIOD,)).fetchone()[0]
        assert province.name_in_text_vi in html
        headline = re.search(r'id="province-dti">([^<]+)<', html)
        assert headline and headline.group(1) == format_dti_value(score), province.code


def test_the_national_rollup_holds_both_provinces(distributed_run):
    assert distributed_run.rollup_state == "success"
    deployment = distributed_run.deployment
    with psycopg.connect(deployment.national_url()) as conn:
        rows = dict(conn.execute("select province_code, dti_score::float8 from national.province_dti_scores "
                                 "where period = %s", (PERIOD,)).fetchall())
    assert set(rows) == {p.code for p in deployment.provinces}
    for province in deployment.provinces:
        with psycopg.connect(province.warehouse_url()) as conn:
            score = conn.execute("select dti_score::float8 from marts.fct_dti_scores "
                                 "where period = %s and scope_type = 'province'", (PERIOD,)).fetchone()[0]
        assert rows[province.code] == pytest.approx(score)
