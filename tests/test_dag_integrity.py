"""Every DAG file imports cleanly, and dti_pipeline is wired the way the design says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dti import runner, settings

EXPECTED_ORDER = ["resolve_period", "extract", "land", "validate_raw", "transform", "validate_marts", "publish"]


@pytest.fixture(scope="module")
def dag_bag():
    os.environ.update(runner.airflow_environment())
    # dbt parses the project at import; these name a server but nothing connects during parsing.
    os.environ.update(settings.PostgresParams.from_url("postgresql://postgres@127.0.0.1:5432/dti").dbt_env())
    settings.AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True)
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(settings.DAGS_DIR))


def test_every_dag_file_imports_without_error(dag_bag):
    assert dag_bag.import_errors == {}
    assert sorted(dag_bag.dag_ids) == [settings.DAG_ID]


def test_every_dag_has_tags_and_every_task_retries(dag_bag):
    for dag in dag_bag.dags.values():
        assert dag.tags, f"{dag.dag_id} has no tags"
        without_retries = [task.task_id for task in dag.tasks if not task.retries]
        assert without_retries == [], f"{dag.dag_id}: tasks without retries {without_retries}"


def test_no_dag_has_a_cycle(dag_bag):
    for dag in dag_bag.dags.values():
        visiting, done = set(), set()

        def visit(task_id: str) -> None:
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
    dag = dag_bag.get_dag(settings.DAG_ID)
    assert dag.schedule == settings.dag_schedule() == "@quarterly"
    assert dag.catchup is False
    assert "period" in dag.params
    stage_tasks = {stage: [t for t in dag.tasks if runner.stage_of(t.task_id) == stage] for stage in EXPECTED_ORDER}
    assert all(stage_tasks.values()), {s: len(t) for s, t in stage_tasks.items()}
    assert any(t.task_id.startswith("transform.fct_dti_scores") for t in stage_tasks["transform"])
    for earlier, later in zip(EXPECTED_ORDER, EXPECTED_ORDER[1:]):
        later_ids = {t.task_id for t in stage_tasks[later]}
        reaches = any(t.get_flat_relative_ids(upstream=False) & later_ids for t in stage_tasks[earlier])
        assert reaches, f"{earlier} does not lead to {later}"


def test_publish_runs_only_after_the_marts_gate_succeeds(dag_bag):
    """A failed marts validation leaves the published report as it was: nothing can reach
    `publish` except through a successful `validate_marts`."""
    dag = dag_bag.get_dag(settings.DAG_ID)
    publish = dag.get_task("publish")
    # the period comes from resolve_period, which every stage follows
    assert publish.upstream_task_ids == {"resolve_period", "validate_marts"}
    assert publish.trigger_rule == "all_success"
    assert dag.get_task("validate_marts").trigger_rule == "all_success"
