"""One run of a province's ``dti_pipeline_<code>`` DAG in this process with ``dag.test()``, then of
the national roll-up it triggers: what `make run` does.

Airflow, dbt and GX write pages of logs; they go to a file under ``.dti/logs/`` and the person at
the terminal sees one line per stage. Airflow keeps its metadata in SQLite under ``.dti/airflow``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, UTC
from pathlib import Path

import psycopg

from dti import settings, warehouse
from dti.provinces import Province, load_deployment
from dti.transform import BUILD_TASK_ID

STAGES = ("extract", "land", "validate_raw", "transform", "validate_marts", "publish")
FINISHED = {"success", "failed", "upstream_failed", "skipped", "removed"}


@dataclass
class StageResult:
    stage: str
    state: str
    detail: str = ""


StageCallback = Callable[[StageResult], None]


@dataclass(frozen=True)
class DtiCoverageLine:
    is_estimate: bool
    dti_lowest: float
    dti_highest: float
    components_measured: int
    components_proxy: int
    official_component_count: int


def describe_province_dti(period: str, dti_score: float, coverage: DtiCoverageLine | None) -> str:
    """The province's DTI in a line, saying what stands behind it: an estimate names its range and coverage."""
    if coverage is None or not coverage.is_estimate:
        return f"Province DTI {period}: {dti_score:.4f}"
    return (f"Province DTI {period} (estimate): {dti_score:.4f}, range {coverage.dti_lowest:.4f}–"
            f"{coverage.dti_highest:.4f}; {coverage.components_measured} of the framework's "
            f"{coverage.official_component_count} official components measured, {coverage.components_proxy} of them "
            f"by provincial proxies")


@dataclass
class RunResult:
    run_id: str
    period: str
    state: str
    log_file: Path
    stages: list[StageResult] = field(default_factory=list)
    dti_score: float | None = None
    # what stands behind the DTI: the official components measured and the range they leave open
    dti_coverage: DtiCoverageLine | None = None
    report_path: Path | None = None
    failed_task: str | None = None
    error: str | None = None
    # How many provinces the national table holds for the period once the roll-up ran after the run.
    national_provinces: int | None = None

    @property
    def succeeded(self) -> bool:
        return self.state == "success"


def airflow_environment() -> dict[str, str]:
    """Airflow settings for an in-process run; set before Airflow is first imported."""
    return {
        "AIRFLOW_HOME": str(settings.AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{settings.AIRFLOW_HOME / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(settings.LOG_DIR / "airflow"),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "NO_COLOR": "1",
        # dbt, airflow and the other console scripts sit beside this interpreter, activated or not.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }


def point_at_server(url: str) -> None:
    """Make every stage of this process (Python tasks and dbt alike) use the server at ``url``; each
    province DAG picks its own database there."""
    os.environ["DTI_DATABASE_URL"] = url
    os.environ.update(settings.PostgresParams.from_url(url).dbt_env())


def prepare_airflow(log) -> None:
    settings.AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
    os.environ.update(airflow_environment())
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, stdout=log, stderr=subprocess.STDOUT, env=os.environ)


@contextlib.contextmanager
def output_to(log_path: Path):
    """Send everything written to stdout/stderr, by Python or by child processes, to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_path.open("a", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield log
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def run_pipeline(province: Province, period: str, log_path: Path,
                 on_stage: StageCallback = lambda stage: None, allow_missing_sources: Sequence[str] = ()) -> RunResult:
    """Run the province's DAG once for ``period`` on the server (embedded unless DTI_DATABASE_URL is
    set), then the national roll-up; ``allow_missing_sources`` is the DAG's param of that name.

    Everything the components print goes to ``log_path``; ``on_stage`` hears of each stage as it ends.
    """
    with output_to(log_path) as log, warehouse.server() as url:
        point_at_server(url)
        prepare_airflow(log)
        return run_dag(province, period, log_path, on_stage, allow_missing_sources)


def run_dag(province: Province, period: str, log_path: Path, on_stage: StageCallback,
            allow_missing_sources: Sequence[str] = ()) -> RunResult:
    """Run the province's DAG once for ``period`` against the server in ``DTI_DATABASE_URL``; after a
    successful run, run the national roll-up DAG, which the scheduler would start on the asset the
    run's publish task updated."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(settings.DAGS_DIR))
    if bag.import_errors:
        errors = "; ".join(f"{path}: {error.strip().splitlines()[-1]}" for path, error in bag.import_errors.items())
        raise RuntimeError(f"the DAG files do not import: {errors}")
    dag = bag.get_dag(province.dag_id)
    logical_date = datetime.now(UTC)
    watcher = StageWatcher(province, period, logical_date, on_stage)
    watcher.start()
    try:
        dag_run = dag.test(logical_date=logical_date,
                           run_conf={"period": period, "allow_missing_sources": list(allow_missing_sources)})
    finally:
        watcher.finish()
    result = RunResult(run_id=dag_run.run_id, period=period, state=str(dag_run.state), log_file=log_path,
                       stages=watcher.reported)
    if result.succeeded:
        result.report_path = province.output_dir / "reports" / period / "index.html"
        with psycopg.connect(province.warehouse_url()) as conn:
            (result.dti_score, is_estimate, lowest, highest, measured, proxies, official_count) = conn.execute(
                "select dti_score::float8, is_estimate, dti_score_lowest::float8, dti_score_highest::float8, "
                "components_measured, components_proxy_measured, official_component_count "
                "from marts.fct_dti_scores where period = %s and scope_type = 'province'",
                (period,),
            ).fetchone()
            result.dti_coverage = DtiCoverageLine(is_estimate, lowest, highest, measured, proxies, official_count)
        run_national_rollup(bag)
        with psycopg.connect(load_deployment().national_url()) as conn:
            result.national_provinces = conn.execute(
                "select count(*) from national.province_dti_scores where period = %s", (period,)).fetchone()[0]
    else:
        result.failed_task = next((instance.task_id for instance in task_states(province.dag_id, dag_run.run_id)
                                   if instance.state == "failed"), None)
        sys.stdout.flush()
        result.error = last_error_in(log_path)
    return result


def run_national_rollup(bag) -> None:
    """Run the national roll-up DAG once, as the scheduler would after a province published."""
    dag_run = bag.get_dag(settings.NATIONAL_DAG_ID).test(logical_date=datetime.now(UTC))
    if str(dag_run.state) != "success":
        raise RuntimeError(f"the national roll-up {dag_run.run_id} ended {dag_run.state}: see the log")


@dataclass(frozen=True)
class TaskInstanceState:
    """One task instance of a run: a mapped task has one per index, all with its task id."""
    task_id: str
    map_index: int
    state: str


def task_states(dag_id: str, run_id: str) -> list[TaskInstanceState]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state)
            .where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
        ).all()
    return [TaskInstanceState(task_id, map_index, str(state) if state else "none")
            for task_id, map_index, state in rows]


def states_of_stage(instances: Iterable[TaskInstanceState], stage: str) -> list[str]:
    """The state of every task instance of ``stage``, each index of a mapped task its own: a stage
    has ended only once they all have."""
    return [instance.state for instance in instances if stage_of(instance.task_id) == stage]


def run_id_for(dag_id: str, logical_date: datetime) -> str | None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return session.scalar(
            select(DagRun.run_id).where(DagRun.dag_id == dag_id, DagRun.logical_date == logical_date)
        )


def stage_of(task_id: str) -> str:
    return task_id.split(".", 1)[0]


def stage_state(states: list[str]) -> str | None:
    """The state of a stage once every task of it has finished, else None."""
    if not states or any(state not in FINISHED for state in states):
        return None
    for state in ("failed", "upstream_failed", "skipped"):
        if state in states:
            return state
    return "success"


class StageWatcher(threading.Thread):
    """Follows the run in the metadata database and reports each stage, in order, once it ends."""

    def __init__(self, province: Province, period: str, logical_date: datetime, on_stage: StageCallback,
                 interval: float = 1.0):
        super().__init__(name="dti-stage-watcher", daemon=True)
        self.province = province
        self.period = period
        self.logical_date = logical_date
        self.on_stage = on_stage
        self.interval = interval
        self.reported: list[StageResult] = []
        self._finished = threading.Event()
        self._run_id: str | None = None

    def run(self) -> None:
        while not self._finished.wait(self.interval):
            self._report_finished_stages()

    def finish(self) -> None:
        self._finished.set()
        self.join()
        self._report_finished_stages(final=True)

    def _report_finished_stages(self, final: bool = False) -> None:
        try:
            self._run_id = self._run_id or run_id_for(self.province.dag_id, self.logical_date)
            if self._run_id is None:
                return
            states = task_states(self.province.dag_id, self._run_id)
        except Exception:  # SQLite may be busy while the run writes; the next tick will see it
            if not final:
                return
            raise
        for stage in STAGES[len(self.reported):]:
            stage_states = states_of_stage(states, stage)
            state = stage_state(stage_states) or ("not run" if final else None)
            if state is None:
                return
            detail = (describe_stage(self.province, stage, self.period, self._run_id, stage_states)
                      if state == "success" else "")
            self.reported.append(StageResult(stage, state, detail))
            self.on_stage(self.reported[-1])


def describe_stage(province: Province, stage: str, period: str, run_id: str, states: list[str]) -> str:
    """One line of counts a person can check a stage by."""
    if stage == "extract":
        from dti.sources.inbox import CERTIFICATES, MINISTRY, POPULATION, SUBMISSIONS, list_inbox

        counts = {kind: len(list_inbox(province.inbox_url, kind, period))
                  for kind in (SUBMISSIONS, CERTIFICATES, POPULATION, MINISTRY)}
        return f"{period}: " + ", ".join(f"{count} {kind} files" for kind, count in counts.items())
    if stage == "transform":
        return describe_transform(task_return_value(province.dag_id, run_id, f"transform.{BUILD_TASK_ID}"), states)
    if stage == "publish":
        published = task_return_value(province.dag_id, run_id, "publish")
        return f"{published['units_scored']} of {published['units_total']} units scored"
    if stage == "land":
        return describe_land(period, task_return_values(province.dag_id, run_id, LAND_TASKS))
    query, params = STAGE_COUNTS[stage]
    with psycopg.connect(province.warehouse_url()) as conn:
        counts = conn.execute(query, params(period, run_id)).fetchone()
    line = STAGE_TEMPLATES[stage].format(*counts)
    if stage == "validate_raw":
        checked = task_return_value(province.dag_id, run_id, "validate_raw") or {}
        line += describe_volumes(period, checked.get("volumes") or {})
    return line


# What a dbt build runs, as the transform's line names it (exposures are listed by dbt, not built).
BUILT_KINDS = (("seed", "seeds"), ("model", "models"), ("snapshot", "snapshots"), ("test", "tests"),
               ("unit_test", "unit tests"))
STAGE_COUNTS = {
    "validate_raw": (
        "select coalesce(sum(evaluated), 0), coalesce(sum(unsuccessful), 0), "
        "(select count(*) from raw.landed_files where period = %(p)s and status = 'quarantined') "
        "from audit.validation_results where run_id = %(r)s and suite_name like 'raw%%'",
        lambda period, run_id: {"p": period, "r": run_id},
    ),
    "validate_marts": (
        "select coalesce(sum(evaluated), 0), coalesce(sum(unsuccessful), 0) from audit.validation_results "
        "where run_id = %(r)s and suite_name like 'marts%%'",
        lambda period, run_id: {"r": run_id},
    ),
}
STAGE_TEMPLATES = {
    "validate_raw": "{0} expectations checked, {1} failed; {2} submissions quarantined",
    "validate_marts": "{0} expectations checked, {1} failed",
}


# The land stage's tasks that land the inbox's files, by what their rows are; the procedure system's
# dossiers land in DOSSIER_TASK.
FILE_LAND_TASKS = {"land.submissions": "self-assessment", "land.certificates": "certificate",
                   "land.population": "population", "land.ministry": "ministry"}
DOSSIER_TASK = "land.dossiers"
LAND_TASKS = (*FILE_LAND_TASKS, DOSSIER_TASK)


def describe_land(period: str, returned: dict[str, list[dict]]) -> str:
    """The land stage in a line, from what every one of its tasks returned (``returned``: task id ->
    the value of each of its instances, every index of a mapped task): the files of the period's
    inbox, the rows this run landed from them, and the period's dossiers."""

    def total(task_ids: Iterable[str], key: str) -> int:
        return sum(value.get(key) or 0 for task_id in task_ids for value in returned.get(task_id, []) if value)

    rows = ", ".join(f"{total([task_id], 'rows_landed'):,} {label}" for task_id, label in FILE_LAND_TASKS.items())
    already = total(FILE_LAND_TASKS, "already_received")
    received = f"{total(FILE_LAND_TASKS, 'files'):,} files for {period}" + (
        f" ({already:,} already received)" if already else "")
    return (f"{received}: {rows} rows landed; {describe_dossiers(period, returned.get(DOSSIER_TASK, []))}; "
            f"quarantined: {total(FILE_LAND_TASKS, 'quarantined'):,} files, "
            f"{total(LAND_TASKS, 'rows_rejected'):,} rows")


def describe_dossiers(period: str, synced: list[dict]) -> str:
    """The period's dossiers as the sync reported them; a sync that did not count the period's own
    says how many versions it landed, of any period."""
    [sync] = synced or [{}]
    if sync.get("period_dossiers") is not None:
        return f"{sync['period_dossiers']:,} dossiers for {period}"
    return f"{sync.get('rows_landed') or 0:,} dossier versions landed, of any period"


def describe_volumes(period: str, volumes: dict[str, dict]) -> str:
    """The rows the raw gate counted for the period per scored source, and what it flagged (the
    sources published without, and those well below their trailing periods)."""
    if not volumes:
        return ""
    counted = ", ".join(f"{source} {found['rows']:,}" for source, found in volumes.items())
    flagged = {"missing_allowed": "published without", "below_trailing_median": "below their trailing median"}
    notes = "".join(f"; {label}: " + ", ".join(source for source, found in volumes.items()
                                              if found.get("finding") == finding)
                    for finding, label in flagged.items()
                    if any(found.get("finding") == finding for found in volumes.values()))
    return f"; rows for {period}: {counted}{notes}"


def describe_transform(node_results: dict[str, dict], task_states: list[str]) -> str:
    """The run's one dbt build in a line: what it built and tested, and the node tasks reporting it."""
    kinds = Counter(unique_id.split(".", 1)[0] for unique_id in node_results["statuses"])
    built = ", ".join(f"{kinds[kind]} {label}" for kind, label in BUILT_KINDS if kinds[kind])
    return f"one dbt build: {built}; {len(task_states) - 1} node tasks report it"


def task_return_values(dag_id: str, run_id: str, task_ids: Iterable[str]) -> dict[str, list]:
    """What each of ``task_ids`` returned in the run: task id -> the value of every instance of it
    that returned one, each index of a mapped task included."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    returned: dict[str, list] = {task_id: [] for task_id in task_ids}
    with create_session() as session:
        for xcom in session.scalars(XComModel.get_many(run_id=run_id, key="return_value", task_ids=list(returned),
                                                       dag_ids=dag_id)):
            returned[xcom.task_id].append(XComModel.deserialize_value(xcom))
    return returned


def task_return_value(dag_id: str, run_id: str, task_id: str):
    """What a task of the run returned (its ``return_value`` XCom), or None."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        xcom = session.scalars(XComModel.get_many(run_id=run_id, key="return_value", task_ids=task_id,
                                                  dag_ids=dag_id, map_indexes=-1)).first()
        return XComModel.deserialize_value(xcom) if xcom is not None else None


def last_error_in(log_path: Path) -> str | None:
    """The exception that ended the last traceback in the log: what a person needs to start reading from."""
    last = None
    in_traceback = False
    with log_path.open(encoding="utf-8", errors="replace") as log:
        for line in log:
            if line.startswith("Traceback (most recent call last)"):
                in_traceback = True
            elif in_traceback and line.strip() and not line[0].isspace():
                last, in_traceback = line.strip(), False
    return last
