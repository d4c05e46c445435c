"""dti_pipeline: agency data -> raw -> validated -> dbt marts -> validated -> published report.

Wiring only; every step is a function of the ``dti`` package, tested without Airflow.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from airflow.sdk import BaseHook, Param, TaskGroup, chain, dag, get_current_context, task
from cosmos import DbtTaskGroup

from dti import audit, landing, periods, settings, transform
from dti.landing import certificates as landing_certificates
from dti.landing import dossiers as landing_dossiers
from dti.landing import submissions as landing_submissions
from dti.publish import QuarantinedFile, publish_report
from dti.publish.dbt_docs import publish_dbt_docs
from dti.publish.portal import publish_portal
from dti.publish.scorecards import scorecard_files
from dti.publish.workbook import workbook_files
from dti.quality import gates
from dti.quality.data_docs import publish_data_docs
from dti.sources import inbox
from dti.sources.inbox import InboxFile
from dti.warehouse import connect, ensure_schemas


# The tasks whose returned counts the run's audit record keeps (a mapped task: one per file).
REPORTING_TASKS = ("land.submissions", "land.certificates", "land.population", "land.dossiers", "validate_raw",
                   "validate_marts", "publish")


def _inbox_files(kind: str, period: str) -> list[dict]:
    # XCom carries plain dicts: Airflow deserialises only allow-listed classes.
    return [asdict(file) for file in inbox.list_inbox(settings.INBOX_URL, kind, period)]


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
    def prepare_warehouse(period: str) -> None:
        ensure_schemas(settings.database_url())
        with connect(settings.database_url()) as conn:
            audit.record_run_started(conn, get_current_context()["run_id"], period)

    @task(task_id="submissions")
    def extract_submissions(period: str) -> list[dict]:
        return _inbox_files(inbox.SUBMISSIONS, period)

    @task(task_id="certificates")
    def extract_certificates(period: str) -> list[dict]:
        return _inbox_files(inbox.CERTIFICATES, period)

    @task(task_id="population")
    def extract_population(period: str) -> list[dict]:
        return _inbox_files(inbox.POPULATION, period)

    @task(task_id="submissions")
    def land_submissions(period: str, files: list[dict]) -> dict:
        outcomes = landing_submissions.land_submissions(
            settings.database_url(), [InboxFile(**file) for file in files], period,
            settings.ARCHIVE_DIR, settings.MAX_SUBMISSION_BYTES)
        return landing.summarise(outcomes)

    @task(task_id="certificates", map_index_template="{{ task.op_kwargs['file']['name'] }}")
    def land_certificates(period: str, file: dict) -> dict:
        outcomes = landing_certificates.land_certificate_files(
            settings.database_url(), [InboxFile(**file)], period, settings.ARCHIVE_DIR, settings.MAX_PROVIDER_FILE_BYTES)
        return landing.summarise(outcomes)

    @task(task_id="dossiers")
    def sync_dossiers() -> dict:
        # Pages land as they arrive, so this task both pulls and lands; it resumes where it stopped.
        api = BaseHook.get_connection(settings.PROCEDURE_API_CONN_ID)
        result = landing_dossiers.sync_dossiers(
            settings.database_url(), settings.procedure_api_base_url(api.schema, api.host, api.port), api.password,
            settings.ARCHIVE_DIR)
        return asdict(result)

    @task(task_id="population")
    def land_population(period: str, files: list[dict]) -> dict:
        outcomes = landing_certificates.land_population_files(
            settings.database_url(), [InboxFile(**file) for file in files], period,
            settings.ARCHIVE_DIR, settings.MAX_PROVIDER_FILE_BYTES)
        return landing.summarise(outcomes)

    @task
    def validate_raw(period: str) -> dict:
        return gates.validate_raw(settings.database_url(), period, get_current_context()["run_id"])

    @task
    def validate_marts(period: str) -> dict:
        return gates.validate_marts(settings.database_url(), period, get_current_context()["run_id"])

    @task
    def publish(period: str) -> dict:
        # Data Docs and dbt docs first: the report and the portal link them; the portal last, from what is on disk.
        data_docs = publish_data_docs(settings.OUTPUT_DIR, get_current_context()["run_id"])
        dbt_docs = publish_dbt_docs(settings.database_url(), settings.OUTPUT_DIR, get_current_context()["run_id"])
        with connect(settings.database_url()) as conn:
            quarantined = [QuarantinedFile(**item) for item in landing.quarantined_files(conn, period)]
            # The workbook and the unit scorecards appear in the same switch as the report.
            companions = {**workbook_files(conn, period), **scorecard_files(conn, period)}
            published = publish_report(conn, period, settings.OUTPUT_DIR, get_current_context()["run_id"], quarantined,
                                       extra_files=companions)
            audit.record_publication(conn, get_current_context()["run_id"], period, published.folder)
            audit.record_publication(conn, get_current_context()["run_id"], period, data_docs)
            audit.record_publication(conn, get_current_context()["run_id"], period, dbt_docs)
        portal = publish_portal(settings.OUTPUT_DIR)
        return {"report_path": str(published.report_path), "dti_score": published.dti_score,
                "data_docs_path": str(data_docs), "dbt_docs_path": str(dbt_docs), "portal_path": str(portal)}

    @task
    def record_run(period: str) -> None:
        # A teardown: it runs however the stages ended, and its own state never decides the run's.
        context = get_current_context()
        reports = {task_id: context["ti"].xcom_pull(task_ids=[task_id]) for task_id in REPORTING_TASKS}
        with connect(settings.database_url()) as conn:
            audit.record_run_ended(conn, context["run_id"], period, reports)

    period = resolve_period()
    with TaskGroup(group_id="extract") as extract:
        submission_files = extract_submissions(period)
        certificate_files = extract_certificates(period)
        population_files = extract_population(period)
    with TaskGroup(group_id="land") as land:
        land_submissions(period, submission_files)
        land_certificates.partial(period=period).expand(file=certificate_files)
        land_population(period, population_files)
        sync_dossiers()

    transform_to_marts = DbtTaskGroup(
        group_id="transform",
        project_config=transform.project_config(),
        profile_config=transform.profile_config(),
        execution_config=transform.execution_config(),
        render_config=transform.render_config(),
        operator_args=transform.operator_args(),
    )
    warehouse_ready = prepare_warehouse(period)
    chain(warehouse_ready, extract, land, validate_raw(period), transform_to_marts, validate_marts(period),
          publish(period), record_run(period).as_teardown(setups=warehouse_ready))


dti_pipeline()
