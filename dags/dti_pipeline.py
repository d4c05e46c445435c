"""dti_pipeline_<province>: agency data -> raw -> validated -> dbt marts -> validated -> published report.

One DAG per province of provinces.yml, every task bound to that province's configuration: its
warehouse database, inbox, archive and output folders, procedure-system API connection, seeds and
dbt vars. Publishing updates the province's asset, on which the national roll-up DAG is scheduled.
Wiring only; every step is a function of the ``dti`` package, tested without Airflow.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from airflow.sdk import (Asset, BaseHook, Param, TaskGroup, chain, dag, get_current_context, get_parsing_context,
                         task)

from dti import audit, landing, periods, settings, transform
from dti.landing import certificates as landing_certificates
from dti.landing import dossiers as landing_dossiers
from dti.landing import ministry as landing_ministry
from dti.landing import submissions as landing_submissions
from dti.provinces import Province, configured_server, load_provinces
from dti.roles import LOADER, READER, TRANSFORMER
from dti.sources import inbox
from dti.sources.inbox import InboxFile
from dti.sources.ministry import ministry_rules
from dti.sources.submission_template import submission_rules
from dti.warehouse import connect, ensure_database, ensure_schemas

# Great Expectations and the report's libraries (matplotlib, openpyxl) are imported inside the tasks
# that use them: every task process parses this file first, and importing them here cost every
# task of a run about 8 seconds on a Celery worker.

# The tasks whose returned counts the run's audit record keeps (a mapped task: one per file).
REPORTING_TASKS = ("land.submissions", "land.certificates", "land.population", "land.ministry", "land.dossiers",
                   "validate_raw", "validate_marts", "publish")


def province_pipeline(province: Province):
    """The pipeline DAG of ``province``."""

    @dag(
        dag_id=province.dag_id,
        description=f"Collect agency data, score the DTI of {province.name_en} and publish the synthesized report.",
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
        tags=["dti", "digital-transformation", province.code],
        doc_md=__doc__,
    )
    def pipeline():
        def inbox_files(kind: str, period: str) -> list[dict]:
            # XCom carries plain dicts: Airflow deserialises only allow-listed classes.
            return [asdict(file) for file in inbox.list_inbox(province.inbox_url, kind, period)]

        @task
        def resolve_period() -> str:
            context = get_current_context()
            return periods.resolve_period(context["params"].get("period"), context.get("data_interval_start"))

        @task
        def prepare_warehouse(period: str) -> None:
            url = ensure_database(configured_server(), province.database)
            ensure_schemas(url)
            with connect(url) as conn:
                audit.record_run_started(conn, get_current_context()["run_id"], period)

        @task(task_id="submissions")
        def extract_submissions(period: str) -> list[dict]:
            return inbox_files(inbox.SUBMISSIONS, period)

        @task(task_id="certificates")
        def extract_certificates(period: str) -> list[dict]:
            return inbox_files(inbox.CERTIFICATES, period)

        @task(task_id="population")
        def extract_population(period: str) -> list[dict]:
            return inbox_files(inbox.POPULATION, period)

        @task(task_id="ministry")
        def extract_ministry(period: str) -> list[dict]:
            return inbox_files(inbox.MINISTRY, period)

        @task(task_id="submissions")
        def land_submissions(period: str, files: list[dict]) -> dict:
            outcomes = landing_submissions.land_submissions(
                province.warehouse_url(LOADER), [InboxFile(**file) for file in files], period, province.archive_dir,
                settings.MAX_SUBMISSION_BYTES, submission_rules(period, province))
            return landing.summarise(outcomes)

        @task(task_id="certificates", map_index_template="{{ task.op_kwargs['file']['name'] }}")
        def land_certificates(period: str, file: dict) -> dict:
            outcomes = landing_certificates.land_certificate_files(
                province.warehouse_url(LOADER), [InboxFile(**file)], period, province.archive_dir,
                settings.MAX_PROVIDER_FILE_BYTES, landing_certificates.province_ward_codes(province))
            return landing.summarise(outcomes)

        @task(task_id="dossiers")
        def sync_dossiers() -> dict:
            # Pages land as they arrive, so this task both pulls and lands; it resumes where it stopped.
            api = BaseHook.get_connection(province.procedure_api_conn_id)
            result = landing_dossiers.sync_dossiers(
                province.warehouse_url(LOADER), settings.procedure_api_base_url(api.schema, api.host, api.port),
                api.password, province.archive_dir)
            return asdict(result)

        @task(task_id="population")
        def land_population(period: str, files: list[dict]) -> dict:
            outcomes = landing_certificates.land_population_files(
                province.warehouse_url(LOADER), [InboxFile(**file) for file in files], period, province.archive_dir,
                settings.MAX_PROVIDER_FILE_BYTES, landing_certificates.province_ward_codes(province))
            return landing.summarise(outcomes)

        @task(task_id="ministry")
        def land_ministry(period: str, files: list[dict]) -> dict:
            # The Ministry's values come in a file the size of a unit's submission.
            outcomes = landing_ministry.land_ministry_files(
                province.warehouse_url(LOADER), [InboxFile(**file) for file in files], period, province.archive_dir,
                settings.MAX_SUBMISSION_BYTES, ministry_rules(period))
            return landing.summarise(outcomes)

        @task
        def validate_raw(period: str) -> dict:
            from dti.quality import gates

            return gates.validate_raw(province.warehouse_url(LOADER), period,
                                      get_current_context()["run_id"], province)

        @task(task_id=transform.BUILD_TASK_ID, show_return_value_in_logs=False)
        def build_marts() -> dict:
            # One `dbt build` of the whole project; each node's task in the group reports its result.
            return transform.build_project(province, get_current_context()["run_id"])

        @task
        def validate_marts(period: str) -> dict:
            from dti.quality import gates

            return gates.validate_marts(province.warehouse_url(READER), period,
                                        get_current_context()["run_id"], province)

        @task(outlets=[Asset(province.published_scores_asset)])
        def publish(period: str) -> dict:
            from dti.publish import QuarantinedFile, publish_report
            from dti.publish.dbt_docs import publish_dbt_docs
            from dti.publish.portal import publish_portal
            from dti.publish.scorecards import scorecard_files
            from dti.publish.workbook import workbook_files
            from dti.quality.data_docs import publish_data_docs

            # Data Docs and dbt docs first: the report and the portal link them; the portal last, from what is on disk.
            run_id = get_current_context()["run_id"]
            output = province.output_dir
            data_docs = publish_data_docs(output, run_id, province)
            # dbt's docs read the catalog of every model, as dbt's own role; the report reads the marts,
            # and what landing set aside as the role that set it aside.
            dbt_docs = publish_dbt_docs(province.warehouse_url(TRANSFORMER), output, run_id, province)
            with connect(province.warehouse_url(LOADER)) as loader:
                quarantined = [QuarantinedFile(**item) for item in landing.quarantined_files(loader, period)]
            with connect(province.warehouse_url(READER)) as conn:
                # The workbook and the unit scorecards appear in the same switch as the report.
                companions = {**workbook_files(conn, period, province), **scorecard_files(conn, period, province)}
                published = publish_report(conn, period, output, run_id, quarantined, province,
                                           extra_files=companions)
                audit.record_publication(conn, run_id, period, published.folder)
                audit.record_publication(conn, run_id, period, data_docs)
                audit.record_publication(conn, run_id, period, dbt_docs)
                # What the national roll-up gathers once this task has updated the province's asset.
                audit.record_published_scores(conn, run_id, period, province.code)
            portal = publish_portal(output, province)
            return {"report_path": str(published.report_path), "dti_score": published.dti_score,
                    "units_scored": published.units_scored, "units_total": published.units_total,
                    "data_docs_path": str(data_docs), "dbt_docs_path": str(dbt_docs), "portal_path": str(portal)}

        @task
        def record_run(period: str) -> None:
            # A teardown: it runs however the stages ended, and its own state never decides the run's.
            context = get_current_context()
            reports = {task_id: context["ti"].xcom_pull(task_ids=[task_id]) for task_id in REPORTING_TASKS}
            with connect(province.warehouse_url(READER)) as conn:
                audit.record_run_ended(conn, context["run_id"], period, reports)

        period = resolve_period()
        with TaskGroup(group_id="extract") as extract:
            submission_files = extract_submissions(period)
            certificate_files = extract_certificates(period)
            population_files = extract_population(period)
            ministry_files = extract_ministry(period)
        with TaskGroup(group_id="land") as land:
            land_submissions(period, submission_files)
            land_certificates.partial(period=period).expand(file=certificate_files)
            land_population(period, population_files)
            land_ministry(period, ministry_files)
            sync_dossiers()

        transform_to_marts = transform.dbt_task_group(province, group_id="transform", build=build_marts)
        warehouse_ready = prepare_warehouse(period)
        chain(warehouse_ready, extract, land, validate_raw(period), transform_to_marts, validate_marts(period),
              publish(period), record_run(period).as_teardown(setups=warehouse_ready))

    return pipeline()


# A task process needs only its own DAG: Airflow names it while parsing for a task, and building
# the other provinces' DAGs there would only add to every task's start-up.
running_dag_id = get_parsing_context().dag_id
for configured in load_provinces():
    if running_dag_id in (None, configured.dag_id):
        province_pipeline(configured)
