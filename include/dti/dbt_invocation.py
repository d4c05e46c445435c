"""dbt run in this process against a given warehouse, outside Airflow: for the CLI and the tests.

The DAG runs dbt through Cosmos (``dti.transform``); these helpers serve the commands that need
one dbt command on their own, such as ``dti what-if``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from dti import settings


def invoke_dbt(url: str, args: list[str], project_dir: Path = settings.DBT_PROJECT_DIR, manifest=None):
    """Run one dbt command in this process against ``url`` and return dbt's result, failed or not.
    dbt's console output is silenced; its log file is written as usual."""
    from dbt.cli.main import dbtRunner

    with dbt_connection(url):
        return dbtRunner(manifest=manifest).invoke(
            [*args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--log-level", "none"]
        )


def dbt_failure(result) -> str:
    if result.exception is not None:
        return str(result.exception)
    messages = [f"{node.node.name}: {node.message}" for node in getattr(result.result, "results", [])
                if str(node.status) not in ("success", "pass")]
    return "; ".join(messages) or "no message"


@contextlib.contextmanager
def dbt_connection(url: str) -> Iterator[None]:
    """Point the project's profile (``DTI_PG*`` variables) at ``url`` for the duration."""
    variables = settings.PostgresParams.from_url(url).dbt_env()
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
