"""dbt run in this process: the one build of a pipeline run, and single commands for the CLI and the tests.

The DAG's transform (``dti.transform``) and the commands that need one dbt command on their own,
such as ``dti what-if``, call dbt through these helpers.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from dti import settings
from dti.provinces import Province


def invoke_dbt(url: str, args: list[str], project_dir: Path = settings.DBT_PROJECT_DIR, manifest=None,
               province: Province | None = None):
    """Run one dbt command in this process against ``url`` and return dbt's result, failed or not.
    With ``province``, dbt reads its seed folder and vars; without, dbt_project.yml's defaults
    (the indicator catalog is the same for every province). dbt's console output is silenced; its
    log file is written as usual."""
    variables = settings.PostgresParams.from_url(url).dbt_env()
    if province is not None:
        variables = {**province.dbt_env(), **variables}  # the database is the one ``url`` names
    return run_dbt([*args, "--log-level", "none"], variables, project_dir, manifest, province)


def run_dbt(args: list[str], variables: Mapping[str, str], project_dir: Path = settings.DBT_PROJECT_DIR,
            manifest=None, province: Province | None = None):
    """Run one dbt command in this process with ``variables`` set in the environment for its
    duration (and the province's dbt vars, if one is given); return dbt's result, failed or not."""
    from dbt.cli.main import dbtRunner

    province_args = []
    if province is not None:
        province_args = ["--vars", json.dumps(dict(province.dbt_vars), ensure_ascii=False)]
    with dbt_environment(variables):
        return dbtRunner(manifest=manifest).invoke(
            [*args, *province_args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)])


def dbt_failure(result) -> str:
    if result.exception is not None:
        return str(result.exception)
    messages = [f"{node.node.name}: {node.message}" for node in getattr(result.result, "results", [])
                if str(node.status) not in ("success", "pass")]
    return "; ".join(messages) or "no message"


@contextlib.contextmanager
def dbt_environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Set what the project's profile and seed paths read (``DTI_PG*``, ``DTI_PROVINCE_SEEDS``) for
    the duration of one command of this process, and put back what was there."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
