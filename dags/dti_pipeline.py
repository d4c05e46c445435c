"""dti_pipeline: agency data -> raw -> validated -> dbt marts -> validated -> published report.

Wiring only; every step is a function of the ``dti`` package, tested without Airflow.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from airflow.sdk import Param, chain, dag, get_current_context, task
from cosmos import DbtTaskGroup

from dti import landing, periods, settings, transform
from dti.landing import submissions as landing_submissions
from dti.publish import QuarantinedFile, publish_report
from dti.quality import gates
from dti.sources import inbox
from dti.sources.inbox import InboxFile
from dti.warehouse import connect, ensure_schemas


@dag(
    dag_id=settings.DAG_ID,
    description="Collect agency data, score the provincial DTI and publish the synthesized report.",
    schedule=settings.dag_schedule(),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "so-khcn", "retries": 2, "retry_delay": timedelta(seconds=30)},
    params={
        "period": Param(
            None, type=["null", "string"],
            description="Assessment period to (re-)score, e.g. 2026-Q3; empty: the run's data interval.",
        ),
    },
    tags=["dti", "digital-transformation", "bac-ninh"],
    doc_md=__doc__,
)
def dti_pipeline():
    @task
    def resolve_period() -> str:
        context = get_current_context()
        return periods.resolve_period(context["params"].get("period"), context.get("data_interval_start"))

    @task
    def extract(period: str) -> list[dict]:
        return [asdict(file) for file in inbox.list_inbox(settings.INBOX_URL, inbox.SUBMISSIONS, period)]

    @task
    def land(period: str, files: list[dict]) -> dict:
        url = settings.database_url()
        ensure_schemas(url)
        outcomes = landing_submissions.land_submissions(url, [InboxFile(**file) for file in files], period,
                                                        settings.ARCHIVE_DIR, settings.MAX_SUBMISSION_BYTES)
        return landing.summarise(outcomes)

    @task
    def validate_raw(period: str, landed: dict) -> dict:
        return gates.validate_raw_submissions(settings.database_url(), period, get_current_context()["run_id"])

    @task
    def validate_marts(period: str) -> dict:
        return gates.validate_marts(settings.database_url(), period, get_current_context()["run_id"])

    @task
    def publish(period: str) -> dict:
        with connect(settings.database_url()) as conn:
            quarantined = [QuarantinedFile(**item) for item in landing.quarantined_files(conn, period)]
            published = publish_report(conn, period, settings.OUTPUT_DIR, get_current_context()["run_id"], quarantined)
        return {"report_path": str(published.report_path), "dti_score": published.dti_score}

    transform_to_marts = DbtTaskGroup(
        group_id="transform",
        project_config=transform.project_config(),
        profile_config=transform.profile_config(),
        execution_config=transform.execution_config(),
        render_config=transform.render_config(),
    )

    period = resolve_period()
    raw_checked = validate_raw(period, land(period, extract(period)))
    chain(raw_checked, transform_to_marts, validate_marts(period), publish(period))


dti_pipeline()
