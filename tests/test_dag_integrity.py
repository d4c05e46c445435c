"""Every DAG file imports cleanly, one pipeline DAG per configured province is wired the way the
design says, and each of them is bound to its own province only."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dti import provinces, runner, settings, transform
from dti.dbt_manifest import MANIFEST
from tests.helpers import TWO_PROVINCES, project_with_test_province

EXPECTED_ORDER = ["resolve_period", "extract", "land", "validate_raw", "transform", "validate_marts", "publish"]


def parse_dags(provinces_file: Path, dbt_project: Path):
    os.environ.update(runner.airflow_environment())
    # dbt parses the project at import; these name a server but nothing connects during parsing.
    os.environ.update(settings.PostgresParams.from_url("postgresql://postgres@127.0.0.1:5432/postgres").dbt_env())
    settings.AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True)
    from airflow.dag_processing.dagbag import DagBag

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "PROVINCES_FILE", provinces_file)
        patch.setattr(settings, "DBT_PROJECT_DIR", dbt_project)
        return DagBag(dag_folder=str(settings.DAGS_DIR))


@pytest.fixture(scope="module")
def dag_bag():
    return parse_dags(settings.PROVINCES_FILE, settings.DBT_PROJECT_DIR)


@pytest.fixture(scope="module")
def two_province_project(tmp_path_factory) -> Path:
    return project_with_test_province(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def two_province_dag_bag(two_province_project):
    return parse_dags(TWO_PROVINCES, two_province_project)


@pytest.fixture(scope="module")
def two_provinces(two_province_project) -> list[provinces.Province]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "DBT_PROJECT_DIR", two_province_project)
        return list(provinces.load_provinces(TWO_PROVINCES))


def pipeline_dags(bag):
    return [dag for dag_id, dag in sorted(bag.dags.items()) if dag_id.startswith(settings.DAG_ID_PREFIX)]


def test_every_dag_file_imports_without_error(dag_bag):
    assert dag_bag.import_errors == {}
    assert sorted(dag_bag.dag_ids) == [settings.NATIONAL_DAG_ID, "dti_pipeline_bac_ninh"]


def node_report_tasks(dag) -> list:
    """The transform's tasks that report a dbt node from the run's build."""
    return [task for task in dag.tasks if "unique_id" in (getattr(task, "op_kwargs", None) or {})]


def test_every_stage_says_in_the_airflow_ui_what_it_does(dag_bag):
    for dag in pipeline_dags(dag_bag):
        # The node tasks are named after the dbt node they report; the others carry their docstring.
        reporting = {task.task_id for task in node_report_tasks(dag)}
        undocumented = [task.task_id for task in dag.tasks if task.task_id not in reporting and not task.doc_md]
        assert undocumented == [], f"{dag.dag_id}: tasks without a description {undocumented}"


def test_every_dag_has_tags_and_every_task_retries(dag_bag):
    for dag in dag_bag.dags.values():
        assert dag.tags, f"{dag.dag_id} has no tags"
        # A node task only reads the build's result: retrying it reads the same result again.
        reporting = {task.task_id for task in node_report_tasks(dag)}
        without_retries = [task.task_id for task in dag.tasks if not task.retries and task.task_id not in reporting]
        assert without_retries == [], f"{dag.dag_id}: tasks without retries {without_retries}"


def test_the_transform_runs_dbt_once_and_reports_every_seed_model_and_test_from_it(dag_bag):
    manifest = json.loads((settings.DBT_PROJECT_DIR / MANIFEST).read_text(encoding="utf-8"))
    seeds_and_models = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] in ("seed", "model")}
    spanning_tests = {uid for uid, node in manifest["nodes"].items()
                      if node["resource_type"] == "test" and len(node["depends_on"]["nodes"]) > 1}
    for dag in pipeline_dags(dag_bag):
        build = dag.get_task(f"transform.{transform.BUILD_TASK_ID}")
        assert build.upstream_task_ids == {"validate_raw"} and build.retries
        reports = node_report_tasks(dag)
        reported = [task.op_kwargs["unique_id"] for task in reports]
        assert sorted(reported) == sorted(seeds_and_models | spanning_tests)
        transform_tasks = {task.task_id for task in dag.tasks if runner.stage_of(task.task_id) == "transform"}
        assert transform_tasks == {build.task_id} | {task.task_id for task in reports}
        for task in reports:
            assert task.op_kwargs["build_task_id"] == build.task_id
            assert build.task_id in task.get_flat_relative_ids(upstream=True), task.task_id
        # dbt's own order: a model's task comes after the tasks of the models it selects from
        by_node = {task.op_kwargs["unique_id"]: task for task in reports}
        for uid, task in by_node.items():
            for parent in manifest["nodes"][uid]["depends_on"].get("nodes", []):
                if parent in by_node and uid not in spanning_tests:
                    assert by_node[parent].task_id in task.upstream_task_ids, (uid, parent)


def test_no_dag_has_a_cycle(dag_bag):
    for dag in dag_bag.dags.values():
        visiting, done = set(), set()

        def visit(task_id: str, *, dag=dag, visiting=visiting, done=done) -> None:
            assert task_id not in visiting, f"{dag.dag_id}: cycle through {task_id}"
            if task_id in done:
                return
            visiting.add(task_id)
            for child in dag.get_task(task_id).downstream_task_ids:
                visit(child)
            visiting.discard(task_id)
            done.add(task_id)

        for task in dag.tasks:
            visit(task.task_id)


def test_the_pipeline_runs_its_stages_in_order_per_period(dag_bag):
    for dag in pipeline_dags(dag_bag):
        assert dag.schedule == settings.dag_schedule() == "@quarterly"
        assert dag.catchup is False and dag.max_active_runs == 1
        assert "period" in dag.params
        stage_tasks = {stage: [t for t in dag.tasks if runner.stage_of(t.task_id) == stage] for stage in EXPECTED_ORDER}
        assert all(stage_tasks.values()), {s: len(t) for s, t in stage_tasks.items()}
        assert any(t.task_id.startswith("transform.fct_dti_scores") for t in stage_tasks["transform"])
        for earlier, later in zip(EXPECTED_ORDER, EXPECTED_ORDER[1:], strict=False):
            later_ids = {t.task_id for t in stage_tasks[later]}
            reaches = any(t.get_flat_relative_ids(upstream=False) & later_ids for t in stage_tasks[earlier])
            assert reaches, f"{earlier} does not lead to {later}"


def test_publish_runs_only_after_the_marts_gate_succeeds(dag_bag):
    """A failed marts validation leaves the published report as it was: nothing can reach
    `publish` except through a successful `validate_marts`."""
    for dag in pipeline_dags(dag_bag):
        publish = dag.get_task("publish")
        # the period comes from resolve_period, which every stage follows
        assert publish.upstream_task_ids == {"resolve_period", "validate_marts"}
        assert publish.trigger_rule == "all_success"
        assert dag.get_task("validate_marts").trigger_rule == "all_success"


def bound_province(task) -> provinces.Province | None:
    """The province a Python task of the DAG closes over, if any."""
    callable_ = getattr(task, "python_callable", None)
    return inspect.getclosurevars(callable_).nonlocals.get("province") if callable_ else None


def test_two_configured_provinces_get_a_dag_each_bound_to_their_own_configuration(two_province_dag_bag,
                                                                                 two_provinces):
    bag = two_province_dag_bag
    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == sorted([settings.NATIONAL_DAG_ID, *(p.dag_id for p in two_provinces)])
    for province in two_provinces:
        dag = bag.get_dag(province.dag_id)
        assert province.code in dag.tags and dag.max_active_runs == 1
        python_tasks = {task.task_id: bound_province(task) for task in dag.tasks if bound_province(task)}
        # dbt's build runs for the province: its database, seed folder and vars (dti.transform.build_project)
        assert {"prepare_warehouse", "land.submissions", "land.dossiers", "validate_raw",
                f"transform.{transform.BUILD_TASK_ID}", "publish", "record_run"} <= python_tasks.keys()
        assert set(python_tasks.values()) == {province}, dag.dag_id
        assert [outlet.name for outlet in dag.get_task("publish").outlets] == [province.published_scores_asset]
    assert os.environ.get("DTI_PGDATABASE") == "postgres"  # parsing left the process's own setting alone


def test_the_national_roll_up_is_scheduled_on_every_province_s_published_scores(two_province_dag_bag,
                                                                                  two_provinces):
    national = two_province_dag_bag.get_dag(settings.NATIONAL_DAG_ID)
    # any one province publishing starts it: the roll-up does not wait for the others
    condition = national.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"
    assert {asset.name for asset in condition.objects} == {
        province.published_scores_asset for province in two_provinces}


def test_a_task_process_builds_only_its_own_province_s_dag(two_province_project, two_provinces, monkeypatch):
    # What Airflow sets while a worker parses the file for a task of that DAG.
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", two_provinces[1].dag_id)
    bag = parse_dags(TWO_PROVINCES, two_province_project)
    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == sorted([settings.NATIONAL_DAG_ID, two_provinces[1].dag_id])
