"""How a province's DAG runs dbt: the Cosmos configuration for ``dbt_project/``.

dbt reads its connection from ``dbt_project/profiles.yml``: the server (host, port, user,
password) from the ``DTI_PG*`` variables of the environment, which are the same for every
province (``dti.settings.PostgresParams.dbt_env``), and the database from ``DTI_PGDATABASE``,
which each province's DAG sets to its own. Its seed folder (``DTI_PROVINCE_SEEDS``) and dbt vars
are the province's too. Cosmos hands them to dbt for every task of the DAG, when it lists the
project while the DAG file is parsed and when a task runs, without changing the environment of
the process that parses or runs tasks of several provinces; no secret is written into the DAG.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path

from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior, TestIndirectSelection

from dti import audit, settings
from dti.provinces import Province
from dti.roles import TRANSFORMER
from dti.warehouse import connect

DBT_PROFILE = "dti"
# The pipeline's dbt tasks connect as the transformer role (profiles.yml); `default` is the owner's.
DBT_TARGET = "transformer"


def project_config(province: Province) -> ProjectConfig:
    return ProjectConfig(dbt_project_path=settings.DBT_PROJECT_DIR, env_vars=province.dbt_env(),
                         dbt_vars=dict(province.dbt_vars))


def profile_config() -> ProfileConfig:
    return ProfileConfig(
        profile_name=DBT_PROFILE,
        target_name=DBT_TARGET,
        profiles_yml_filepath=settings.DBT_PROJECT_DIR / "profiles.yml",
    )


def execution_config() -> ExecutionConfig:
    # dbt runs in the task's own process through dbtRunner: no dbt executable to locate.
    # Cautious selection: a node's build runs only the tests whose every parent is built by then;
    # tests spanning several models get a task of their own after all of them.
    return ExecutionConfig(
        invocation_mode=InvocationMode.DBT_RUNNER,
        test_indirect_selection=TestIndirectSelection.CAUTIOUS,
    )


def render_config() -> RenderConfig:
    # One `dbt build` task per seed and model, its tests included: a failing test still stops what
    # depends on the node, and each task pays dbt's start-up once (half the tasks of run + test).
    return RenderConfig(
        load_method=LoadMode.DBT_LS,
        test_behavior=TestBehavior.BUILD,
        invocation_mode=InvocationMode.DBT_RUNNER,
        should_detach_multiple_parents_tests=True,
    )


def operator_args(province: Province) -> dict:
    # Cosmos runs each dbt task in a temporary copy of the project and calls the callback with that
    # copy before removing it, whether dbt succeeded or not: the one moment run_results.json exists.
    return {"callback": functools.partial(record_dbt_results, province=province)}


def record_dbt_results(project_dir: str, context: Mapping, province: Province, **_) -> None:
    """Record the node results of the dbt command a Cosmos task just ran under the Airflow run's id,
    in the province's warehouse."""
    run_results = Path(project_dir) / os.environ.get("DBT_TARGET_PATH", "target") / "run_results.json"
    if not run_results.is_file():
        return  # dbt stopped before running any node (e.g. the project did not parse)
    with connect(province.warehouse_url(TRANSFORMER)) as conn:
        audit.record_dbt_results(conn, context["run_id"], run_results)
