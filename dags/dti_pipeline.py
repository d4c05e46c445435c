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
from airflow.sdk.exceptions import AirflowFailException

from dti import periods, runs, settings, transform
from dti.landing import certificates as landing_certificates
from dti.landing import dossiers as landing_dossiers
from dti.landing import ministry as landing_ministry
from dti.landing import submissions as landing_submissions
from dti.provinces import Province, load_provinces
from dti.quality import volumes
from dti.roles import LOADER, READER
from dti.sources import inbox
from dti.sources.inbox import InboxFile

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
            "allow_missing_sources": Param(
                [], type="array", items={"type": "string", "enum": list(volumes.SCORED_SOURCES)},
                description="Sources the report may be published without when they have no row for the period "
                            "(validate_raw records them); any other source without rows stops the run.",
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
            """The assessment period this run scores: the `period` parameter, else the run's data interval."""
            context = get_current_context()
            return periods.resolve_period(context["params"].get("period"), context.get("data_interval_start"))

        @task
        def prepare_warehouse(period: str) -> None:
            """Create the province's warehouse and schemas where missing and record the run's start."""
            runs.start_run(province, period, get_current_context()["run_id"])

        @task(task_id="submissions")
        def extract_submissions(period: str) -> list[dict]:
            """List the units' self-assessment workbooks in the period's inbox."""
            return inbox_files(inbox.SUBMISSIONS, period)

        @task(task_id="certificates")
        def extract_certificates(period: str) -> list[dict]:
            """List the certificate providers' register files in the period's inbox."""
            return inbox_files(inbox.CERTIFICATES, period)

        @task(task_id="population")
        def extract_population(period: str) -> list[dict]:
            """List the statistics office's adult population files in the period's inbox."""
            return inbox_files(inbox.POPULATION, period)

        @task(task_id="ministry")
        def extract_ministry(period: str) -> list[dict]:
            """List the files of values the Ministry measures in the period's inbox."""
            return inbox_files(inbox.MINISTRY, period)

        @task(task_id="submissions")
        def land_submissions(period: str, files: list[dict]) -> dict:
            """Archive each workbook, load its rows into raw and set aside what cannot be used, with why."""
            return landing_submissions.land_period_submissions(province, period, [InboxFile(**f) for f in files])

        @task(task_id="certificates", map_index_template="{{ task.op_kwargs['file']['name'] }}")
        def land_certificates(period: str, file: dict) -> dict:
            """Archive one provider's register and load its rows, holder ids replaced by pseudonyms."""
            return landing_certificates.land_period_certificates(province, period, [InboxFile(**file)])

        @task(task_id="dossiers")
        def sync_dossiers(period: str) -> dict:
            """Pull the dossiers updated since the last sync from the procedure system, or the period's
            window again when it lies behind the watermark, and land each page."""
            api = BaseHook.get_connection(province.procedure_api_conn_id)
            base_url = settings.procedure_api_base_url(api.schema, api.host, api.port)
            return landing_dossiers.sync_province_dossiers(province, base_url, api.password, period)

        @task(task_id="population")
        def land_population(period: str, files: list[dict]) -> dict:
            """Archive the adult population files and load their counts per commune and ward."""
            return landing_certificates.land_period_population(province, period, [InboxFile(**f) for f in files])

        @task(task_id="ministry")
        def land_ministry(period: str, files: list[dict]) -> dict:
            """Archive the Ministry's files of values and load each value with the document it comes from."""
            return landing_ministry.land_period_ministry_values(province, period, [InboxFile(**f) for f in files])

        @task
        def validate_raw(period: str) -> dict:
            """Run the raw suites on what landed; a unit's batch that fails is set aside, the rest go on.
            A scored source with no row for the period stops the run, unless `allow_missing_sources` names it."""
            from dti.quality import gates

            context = get_current_context()
            try:
                return gates.validate_raw(province.warehouse_url(LOADER), period, context["run_id"], province,
                                          context["params"].get("allow_missing_sources") or [])
            except gates.SourceDataMissing as missing:
                # A retry half a minute later would find the same rows: fail now, with the reason.
                raise AirflowFailException(str(missing)) from missing

        @task(task_id=transform.BUILD_TASK_ID, show_return_value_in_logs=False)
        def build_marts() -> dict:
            """One `dbt build` of the whole project; each node's task in the group reports its result."""
            return transform.build_project(province, get_current_context()["run_id"])

        @task
        def validate_marts(period: str) -> dict:
            """Run the marts suites: the publication gate; a failure keeps the last report in place."""
            from dti.quality import gates

            return gates.validate_marts(province.warehouse_url(READER), period,
                                        get_current_context()["run_id"], province)

        @task(outlets=[Asset(province.published_scores_asset)])
        def publish(period: str) -> dict:
            """Publish the report, its workbook and the unit scorecards from the marts, with the Data Docs,
            the dbt docs and the portal; the national roll-up is scheduled on this task's asset."""
            from dti.publish import publish_period

            return publish_period(province, period, get_current_context()["run_id"])

        @task
        def record_run(period: str) -> None:
            """Record the run's end with what each stage reported (a teardown: it runs however they ended)."""
            context = get_current_context()
            reports = {task_id: context["ti"].xcom_pull(task_ids=[task_id]) for task_id in REPORTING_TASKS}
            runs.end_run(province, period, context["run_id"], reports)

        period = resolve_period()
        with TaskGroup(group_id="extract") as extract:
            submission_files = extract_submissions(period)
            certificate_files = extract_certificates(period)
            population_files = extract_population(period)
            ministry_files = extract_ministry(period)
        with TaskGroup(group_id="land") as land:
            land_submissions(period, submission_files)
            # Airflow gives a mapped task no description from its docstring: it is handed over here.
            land_certificates.override(doc_md=land_certificates.function.__doc__).partial(period=period).expand(
                file=certificate_files)
            land_population(period, population_files)
            land_ministry(period, ministry_files)
            sync_dossiers(period)

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
