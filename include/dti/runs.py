"""A pipeline run's start and end in the province's warehouse: the first and the last thing each run
of the DAG does, so the audit trail holds every run, however its stages ended."""

from __future__ import annotations

from collections.abc import Mapping

from dti import audit
from dti.provinces import Province, configured_server
from dti.roles import READER
from dti.warehouse import connect, ensure_database, ensure_schemas


def start_run(province: Province, period: str, run_id: str) -> None:
    """Create the province's warehouse and its schemas where missing, and record that ``run_id`` started
    scoring ``period``."""
    url = ensure_database(configured_server(), province.database)
    ensure_schemas(url)
    with connect(url) as conn:
        audit.record_run_started(conn, run_id, period)


def end_run(province: Province, period: str, run_id: str, stage_reports: Mapping[str, list]) -> str:
    """Record the end of ``run_id`` with what its stages reported (task id -> returned values); returns
    the status recorded."""
    with connect(province.warehouse_url(READER)) as conn:
        return audit.record_run_ended(conn, run_id, period, stage_reports)
