"""How a province's DAG runs dbt: one ``dbt build`` per run, and one task per dbt node reporting it.

The transform group holds a ``dbt_build`` task, which runs dbt once over the whole project (dbt's
threads do the parallel work), and one task per seed and model (its tests included) and per test
spanning several models, which reports that node's result from the build: a node that failed, or
whose test failed, fails its own task, so what depends on it in Airflow (down to validate_marts
and publish) does not run. Cosmos renders those node tasks from the manifest the install step
writes (``dti manifest``, ``LoadMode.DBT_MANIFEST``), so parsing the DAG file never starts dbt.

Why not one dbt command per node (Cosmos' local mode) or Cosmos' watcher mode: README, "How the
transform runs dbt".

dbt reads its connection from ``dbt_project/profiles.yml``: the server (host, port, password) from
the ``DTI_PG*`` variables of the environment, the database (``DTI_PGDATABASE``), seed folder
(``DTI_PROVINCE_SEEDS``) and vars from the province, set for the one command only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from dti import audit, settings
from dti.dbt_invocation import dbt_failure, run_dbt
from dti.dbt_manifest import current_manifest
from dti.provinces import Province
from dti.roles import TRANSFORMER
from dti.warehouse import connect

DBT_PROFILE = "dti"
# The pipeline's dbt build connects as the transformer role (profiles.yml); `default` is the owner's.
DBT_TARGET = "transformer"
# The task of the transform group that runs dbt; every node task reads its result.
BUILD_TASK_ID = "dbt_build"
# dbt's statuses of a node that did its work (``warn``: a test whose severity is warn).
_DONE = {"success", "pass", "warn"}
_NODE_TYPES = {"seed", "model", "snapshot"}
_TEST_TYPES = {"test", "unit_test"}


class DbtBuildError(RuntimeError):
    """dbt could not run the build at all (the project did not parse, the server refused, ...)."""


class DbtNodeFailed(RuntimeError):
    """The run's dbt build failed this node, one of its tests, or skipped it."""


# --- Cosmos: the node tasks, rendered from the manifest ----------------------------------------------
# Cosmos (and through it Airflow) is imported inside the functions that render the group: the
# build and the node checks below run, and are tested, without Airflow.


def project_config(province: Province):
    from cosmos import ProjectConfig

    project_dir = settings.DBT_PROJECT_DIR
    return ProjectConfig(dbt_project_path=project_dir, manifest_path=current_manifest(project_dir),
                         env_vars=province.dbt_env(), dbt_vars=dict(province.dbt_vars))


def profile_config():
    from cosmos import ProfileConfig

    return ProfileConfig(
        profile_name=DBT_PROFILE,
        target_name=DBT_TARGET,
        profiles_yml_filepath=settings.DBT_PROJECT_DIR / "profiles.yml",
    )


def render_config():
    from cosmos import RenderConfig
    from cosmos.constants import DbtResourceType, LoadMode, TestBehavior

    # TestBehavior.BUILD: a seed's or model's tests belong to its task, as they do in `dbt build`;
    # a test spanning several models gets a task of its own after all of them.
    converters = {resource: node_report_task for resource in
                  (DbtResourceType.SEED, DbtResourceType.MODEL, DbtResourceType.SNAPSHOT, DbtResourceType.TEST)}
    return RenderConfig(
        load_method=LoadMode.DBT_MANIFEST,
        test_behavior=TestBehavior.BUILD,
        should_detach_multiple_parents_tests=True,
        node_converters=converters,
    )


def node_report_task(dag, task_group, task_id: str, **_):
    """The Airflow task of one dbt node, which reports the node's result from the run's build;
    ``dbt_task_group`` tells it which node."""
    from airflow.providers.standard.operators.python import PythonOperator

    build_task_id = task_group.child_id(BUILD_TASK_ID) if task_group else BUILD_TASK_ID
    return PythonOperator(
        task_id=task_id, dag=dag, task_group=task_group,
        python_callable=report_node_from_build,
        op_kwargs={"build_task_id": build_task_id},
        # Retrying would read the same result again: clearing dbt_build (with its downstream) rebuilds.
        retries=0,
    )


def report_node_from_build(unique_id: str, build_task_id: str, ti, **_) -> str:
    return check_node(ti.xcom_pull(task_ids=build_task_id), unique_id)


def dbt_task_group(province: Province, group_id: str, build: Callable[[], object]):
    """The transform group of ``province``'s DAG: ``build()`` (the task running ``build_project``),
    then every node task that starts no other."""
    from cosmos import DbtTaskGroup

    # No execution config: no task of the group runs dbt through Cosmos (Cosmos' default, local mode,
    # is only what it validates the profile for).
    group = DbtTaskGroup(group_id=group_id, project_config=project_config(province), profile_config=profile_config(),
                         render_config=render_config())
    # Each task learns its node from the group's map: Cosmos hands the converter of a test spanning
    # several models the node it rendered last, not the test.
    for unique_id, node_task in group.tasks_map.items():
        build_task_id = node_task.op_kwargs["build_task_id"]
        node_task.op_kwargs = {**node_task.op_kwargs, "unique_id": unique_id}
        node_task.doc_md = (f"Reports `{unique_id}` from this run's one `dbt build` (task `{build_task_id}`): fails "
                            f"when dbt failed the node or one of its tests, or skipped it. To build again, clear "
                            f"`{build_task_id}` with its downstream tasks.")
    first_nodes = list(group.roots)
    with group:
        build_task = build()
    build_task >> first_nodes
    return group


# --- the run's one dbt build, and what each node task reads of it -----------------------------------


def build_target_dir(province: Province) -> Path:
    """Where the province's builds write dbt's artifacts. One province's runs never overlap
    (max_active_runs=1), and keeping the folder between runs lets dbt parse only what changed."""
    return settings.STATE_DIR / "dbt" / province.code / "target"


def build_project(province: Province, run_id: str) -> dict[str, dict]:
    """Run ``dbt build`` once over the whole project for ``province``, record every node's result in
    the audit trail under ``run_id`` and return them as the node tasks read them (``node_results``).

    A node that fails does not fail this function: its own task reports it. Raises DbtBuildError
    when dbt could not run at all."""
    target = build_target_dir(province)
    target.mkdir(parents=True, exist_ok=True)
    run_results = target / "run_results.json"
    run_results.unlink(missing_ok=True)  # never report an earlier build's results as this one's
    result = run_dbt(["build", "--target", DBT_TARGET, "--target-path", str(target)],
                     {**province.dbt_env(), "DBT_LOG_PATH": str(target.parent / "logs")},
                     settings.DBT_PROJECT_DIR, province=province)
    if result.exception is not None or not run_results.is_file():
        raise DbtBuildError(f"dbt build could not run for {province.code}: {dbt_failure(result)}")
    with connect(province.warehouse_url(TRANSFORMER)) as conn:
        audit.record_dbt_results(conn, run_id, run_results)
    return node_results(json.loads(run_results.read_text(encoding="utf-8")),
                        json.loads((target / "manifest.json").read_text(encoding="utf-8")))


def node_results(run_results: Mapping, manifest: Mapping) -> dict[str, dict]:
    """One build's results in the shape the node tasks read: every node's dbt ``status``, dbt's
    ``message`` for each node that did not pass, and for each seed, model or snapshot the tests
    (data and unit tests with it as their only parent) that did not pass.

    Flat on purpose: Airflow serialises an XCom object by object, and one dict per node made
    handing the results over take seconds."""
    statuses = {item["unique_id"]: str(item["status"]) for item in run_results["results"]}
    # dbt's messages span lines ("Database Error in model …" then the server's words): one line each,
    # so the error a run ends with carries the cause.
    messages = {item["unique_id"]: " ".join((item.get("message") or "").split())
                for item in run_results["results"] if str(item["status"]) not in _DONE}
    definitions = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    failed_tests: dict[str, list[str]] = {}
    for unique_id in messages:
        definition = definitions.get(unique_id, {})
        parents = tested_nodes(definition, definitions) if definition.get("resource_type") in _TEST_TYPES else []
        if len(parents) == 1 and parents[0] in statuses:
            failed_tests.setdefault(parents[0], []).append(unique_id)
    return {"statuses": statuses, "messages": messages, "failed_tests": failed_tests}


def tested_nodes(test: Mapping, definitions: Mapping) -> list[str]:
    """The seeds, models and snapshots a data or unit test depends on."""
    return [parent for parent in test.get("depends_on", {}).get("nodes", [])
            if definitions.get(parent, {}).get("resource_type") in _NODE_TYPES]


def check_node(results: Mapping[str, Mapping] | None, unique_id: str) -> str:
    """What the build did of ``unique_id``, as one line; raises DbtNodeFailed when it failed the
    node or one of its tests, or skipped it, naming what failed."""
    if not results:
        raise DbtNodeFailed(f"{unique_id}: the run's dbt build reported no results")
    statuses, messages = results["statuses"], results["messages"]
    status = statuses.get(unique_id)
    if status is None:
        raise DbtNodeFailed(f"{unique_id}: the run's dbt build has no result for it (not selected, or the build "
                            f"stopped before it)")
    if status == "skipped":
        failed = sorted(uid for uid, other in statuses.items() if other not in _DONE | {"skipped"})
        raise DbtNodeFailed(f"{unique_id}: dbt skipped it because a node it depends on failed "
                            f"(failed in this build: {', '.join(failed) or 'none reported'})")
    if status not in _DONE:
        raise DbtNodeFailed(f"{unique_id}: {status}: {messages.get(unique_id, '')}")
    failed_tests = results["failed_tests"].get(unique_id, [])
    if failed_tests:
        described = "; ".join(f"{test} {statuses[test]}: {messages.get(test, '')}" for test in failed_tests)
        raise DbtNodeFailed(f"{unique_id}: {len(failed_tests)} of its tests did not pass: {described}")
    return f"{unique_id}: {status}"
