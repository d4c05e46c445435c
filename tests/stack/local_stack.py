"""Airflow's distributed engine as plain processes: api-server, scheduler, dag-processor and Celery
workers, on a PostgreSQL metadata database and a Redis broker.

This is the docker-compose stack without Docker: the same services, the same executor, the same
REST API, run on one machine. The distributed test and ``bench/scale.py`` drive it; a data engineer
can use it to try a change on the real engine before deploying it.

Every process is started in a session of its own and remembered by pid, so that ``stop`` can end
it and everything it forked (Celery pool processes, task supervisors, dbt) and prove none is left.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from dti import settings

# The REST API user the stack creates for whoever drives it (simple auth manager, admin role).
API_USER = "dti"
FINISHED_RUN_STATES = {"success", "failed"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class StackConfig:
    """Where the stack keeps its state and which shared services it uses.

    ``queue`` isolates this stack's Celery messages from any other stack on the same Redis.
    """

    home: Path
    metadata_url: str
    broker_url: str
    queue: str = field(default_factory=lambda: f"dti-{secrets.token_hex(4)}")
    worker_concurrency: int = 2
    # How long a task may go without a heartbeat before the scheduler declares it lost and retries it.
    heartbeat_timeout_seconds: int = 30
    dags_folder: Path = settings.DAGS_DIR
    extra_env: Mapping[str, str] = field(default_factory=dict)


class AirflowStack:
    """Start, drive and stop one Airflow deployment made of local processes."""

    def __init__(self, config: StackConfig):
        self.config = config
        self.api_port = free_port()
        self.password = secrets.token_urlsafe(16)
        self.processes: dict[str, subprocess.Popen] = {}
        self.log_dir = config.home / "service-logs"
        self._token: str | None = None
        self._worker_generation = 0
        # Every pid a service was seen with, forked ones included: stop() proves each one gone.
        self._seen_pids: set[int] = set()

    # ---- environment -------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def environment(self) -> dict[str, str]:
        home = self.config.home
        metadata = self.config.metadata_url
        env = {
            **os.environ,
            "AIRFLOW_HOME": str(home / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.config.dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{API_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "airflow" / "api-users.json"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
            # Airflow derives an asyncpg URL otherwise; psycopg 3 serves sync and async alike.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata,
            "AIRFLOW__CELERY__BROKER_URL": self.config.broker_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata,
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.config.worker_concurrency),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.config.queue,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__BASE_URL": self.api_url,
            # Every process signs and checks the same tokens: the workers talk to the execution API.
            "AIRFLOW__API_AUTH__JWT_SECRET": self._shared_secret("jwt"),
            "AIRFLOW__API__SECRET_KEY": self._shared_secret("api"),
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(self.config.heartbeat_timeout_seconds),
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "task-logs"),
            "GX_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "NO_COLOR": "1",
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        }
        env.update(self.config.extra_env)
        return env

    def _shared_secret(self, name: str) -> str:
        path = self.config.home / "airflow" / f"{name}.secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        return path.read_text(encoding="utf-8")

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 300) -> None:
        """Migrate the metadata database, start every service and wait until the API answers."""
        (self.config.home / "airflow").mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        (self.config.home / "airflow" / "api-users.json").write_text(
            json.dumps({API_USER: self.password}), encoding="utf-8")
        self._airflow("db", "migrate")
        self._spawn("api-server", "api-server", "--host", "127.0.0.1", "--port", str(self.api_port))
        self._spawn("scheduler", "scheduler")
        self._spawn("dag-processor", "dag-processor")
        self.start_worker()
        self.wait_until(self._api_healthy, timeout, "the API server to answer")

    def start_worker(self) -> str:
        """Start a Celery worker on this stack's queue; return its service name."""
        self._worker_generation += 1
        name = f"celery-worker-{self._worker_generation}"
        self._spawn(name, "celery", "worker", "--queues", self.config.queue,
                    "--celery-hostname", f"{self.config.queue}-{self._worker_generation}@%h",
                    "--concurrency", str(self.config.worker_concurrency), "--skip-serve-logs")
        return name

    def kill(self, name: str) -> list[int]:
        """SIGKILL a service and everything it forked, as a crashed machine would: no clean-up runs."""
        process = self.processes.pop(name)
        pids = _kill_tree(process.pid, signal.SIGKILL, grace=0)
        self._seen_pids.update(pids)
        process.wait(timeout=30)
        return pids

    def workers(self) -> list[str]:
        return [name for name in self.processes if name.startswith("celery-worker")]

    def stop(self, grace: float = 30) -> list[int]:
        """End every service this stack started (workers first, so no task is left half-done by a
        vanished scheduler) and return the pids still alive afterwards: empty means nothing is left."""
        order = self.workers() + [name for name in self.processes if not name.startswith("celery-worker")]
        for name in order:
            process = self.processes.pop(name)
            self._seen_pids.update(_kill_tree(process.pid, signal.SIGTERM, grace=grace))
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        return sorted(pid for pid in self._seen_pids if _alive(pid))

    def __enter__(self) -> AirflowStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _airflow(self, *args: str) -> None:
        log = self.log_dir / "airflow-cli.log"
        with log.open("a", encoding="utf-8") as handle:
            subprocess.run([_airflow_executable(), *args], env=self.environment(), check=True,
                           stdout=handle, stderr=subprocess.STDOUT)

    def _spawn(self, name: str, *args: str) -> None:
        handle = (self.log_dir / f"{name}.log").open("a", encoding="utf-8")
        # A session of its own: the process and what it forks can be found and ended together.
        process = subprocess.Popen([_airflow_executable(), *args], env=self.environment(), stdout=handle,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        self.processes[name] = process
        self._seen_pids.add(process.pid)

    def _api_healthy(self) -> bool:
        try:
            response = httpx.get(f"{self.api_url}/api/v2/monitor/health", timeout=5)
        except httpx.TransportError:
            return False
        return response.status_code == 200

    def wait_until(self, condition, timeout: float, what: str, interval: float = 2) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            dead = {name: process.returncode for name, process in self.processes.items() if process.poll() is not None}
            if dead:
                raise RuntimeError(f"while waiting for {what}, services exited: {dead}; logs in {self.log_dir}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f}s for {what}; logs in {self.log_dir}")
            time.sleep(interval)

    # ---- REST API ----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            response = httpx.post(f"{self.api_url}/auth/token", json={"username": API_USER, "password": self.password},
                                  timeout=30)
            response.raise_for_status()
            self._token = response.json()["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def api(self, method: str, path: str, **kwargs) -> dict:
        response = httpx.request(method, f"{self.api_url}/api/v2{path}", headers=self._headers(), timeout=60, **kwargs)
        response.raise_for_status()
        return response.json()

    def wait_for_dag(self, dag_id: str, timeout: float = 600) -> None:
        """Wait until the dag-processor has parsed ``dag_id`` and the API serves it."""
        def parsed() -> bool:
            try:
                self.api("GET", f"/dags/{dag_id}")
            except httpx.HTTPStatusError as error:
                if error.response.status_code == 404:
                    return False
                raise
            return True

        self.wait_until(parsed, timeout, f"DAG {dag_id} to be parsed")

    def import_errors(self) -> list[dict]:
        return self.api("GET", "/importErrors")["import_errors"]

    def trigger(self, dag_id: str, conf: Mapping | None = None) -> str:
        run = self.api("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": dict(conf or {})})
        return run["dag_run_id"]

    def dag_run(self, dag_id: str, run_id: str) -> dict:
        return self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")

    def dag_runs(self, dag_id: str) -> list[dict]:
        return self.api("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 1000})["dag_runs"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                        params={"limit": 1000})["task_instances"]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 3600) -> str:
        """Wait until the run ends; its final state."""
        state: dict[str, str] = {}

        def finished() -> bool:
            state["value"] = self.dag_run(dag_id, run_id)["state"]
            return state["value"] in FINISHED_RUN_STATES

        self.wait_until(finished, timeout, f"run {run_id} of {dag_id} to finish", interval=5)
        return state["value"]

    def wait_for_task_state(self, dag_id: str, run_id: str, prefix: str, state: str, timeout: float = 1800) -> dict:
        """Wait until a task whose id starts with ``prefix`` is in ``state``; that task instance."""
        found: dict[str, dict] = {}

        def reached() -> bool:
            for instance in self.task_instances(dag_id, run_id):
                if instance["task_id"].startswith(prefix) and instance["state"] == state:
                    found["instance"] = instance
                    return True
            if self.dag_run(dag_id, run_id)["state"] in FINISHED_RUN_STATES:
                raise RuntimeError(f"run {run_id} ended before any {prefix}* task was {state}")
            return False

        self.wait_until(reached, timeout, f"a {prefix}* task of {run_id} to be {state}", interval=1)
        return found["instance"]


def _airflow_executable() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _tree(pid: int) -> list[int]:
    try:
        root = psutil.Process(pid)
        return [pid, *(child.pid for child in root.children(recursive=True))]
    except psutil.NoSuchProcess:
        return []


def _kill_tree(pid: int, sig: signal.Signals, grace: float) -> list[int]:
    """Send ``sig`` to ``pid``, its session and every descendant; after ``grace`` seconds SIGKILL
    whatever is left. The pids signalled."""
    pids = _tree(pid)
    processes = []
    for target in pids:
        try:
            process = psutil.Process(target)
            process.send_signal(sig)
            processes.append(process)
        except psutil.NoSuchProcess:
            continue
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
    _, alive = psutil.wait_procs(processes, timeout=grace)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=10)
    return pids


class DemoDeployment:
    """One deployment on this machine's PostgreSQL and Redis, scoring a period of demo data.

    Entering it creates fresh databases (the Airflow metadata, every province's warehouse, the
    national roll-up; the provinces file names them), writes each province's demo inbox, starts a
    sandbox of each province's procedure API serving its demo dossiers, and starts the Airflow
    services. Leaving it stops every process it started and records in ``survivors`` any that
    outlived the stop; the databases stay for the caller to inspect until ``drop_databases``.
    """

    def __init__(self, root: Path, provinces_file: Path, server_url: str, broker_url: str, period: str, *,
                 dossier_scale: float = 1.0, worker_concurrency: int = 2, project_dir: Path = settings.PROJECT_ROOT,
                 extra_env: Mapping[str, str] | None = None):
        from dti.provinces import load_deployment

        self.root = root
        self.server_url = server_url
        self.period = period
        self.dossier_scale = dossier_scale
        self.env = {
            "DTI_HOME": str(project_dir),
            "DTI_PROVINCES_FILE": str(provinces_file),
            "DTI_DATABASE_URL": server_url,
            "DTI_STATE_DIR": str(root / "state"),
            "DTI_INBOX_DIR": str(root / "inbox"),
            "DTI_ARCHIVE_DIR": str(root / "archive"),
            "DTI_OUTPUT_DIR": str(root / "output"),
            "DTI_PSEUDONYM_KEY": secrets.token_hex(16),
            # Runs are triggered, never scheduled: a scheduled run would queue behind them.
            "DTI_DAG_SCHEDULE": "none",
            # The server dbt's profile connects to; each province's DAG names its database.
            **{key: value for key, value in settings.PostgresParams.from_url(server_url).dbt_env().items()
               if key != "DTI_PGDATABASE"},
            **(extra_env or {}),
        }
        self.deployment = load_deployment(provinces_file)
        suffix = secrets.token_hex(4)
        self.metadata_database = f"airflow_{suffix}"
        self.databases = [self.metadata_database, self.deployment.national_database,
                          *(province.database for province in self.deployment.provinces)]
        # SQLAlchemy's psycopg (3) dialect: Airflow serves its async API from the same URL.
        metadata_url = settings.database_on_server(server_url, self.metadata_database).replace(
            "postgresql://", "postgresql+psycopg://", 1)
        # The services start with self.env as it is then: the sandboxes' connections are in by then.
        self.stack = AirflowStack(StackConfig(
            home=root / "airflow-deployment", metadata_url=metadata_url, broker_url=broker_url,
            worker_concurrency=worker_concurrency, dags_folder=project_dir / "dags", extra_env=self.env))
        self.sandboxes: list[subprocess.Popen] = []
        self.survivors: list[int] = []

    def __enter__(self) -> DemoDeployment:
        from dti.warehouse import ensure_database

        try:
            ensure_database(self.server_url, self.metadata_database)
            connections = {}
            for province in self.deployment.provinces:
                self._dti("demo-data", "--province", province.code, "--period", self.period,
                          "--scale", str(self.dossier_scale))
                port, token = free_port(), secrets.token_urlsafe(16)
                self.sandboxes.append(self._dti(
                    "sandbox-api", "--province", province.code, "--token", token, "--port", str(port),
                    "--period", self.period, "--scale", str(self.dossier_scale), background=True))
                variable = f"AIRFLOW_CONN_{province.procedure_api_conn_id.upper()}"
                connections[variable] = f"http://:{token}@127.0.0.1:{port}"
            self.env.update(connections)
            self.stack.start()
            for province in self.deployment.provinces:
                self.stack.wait_for_dag(province.dag_id)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.survivors = self.stack.stop()
        for sandbox in self.sandboxes:
            self.survivors.extend(_kill_tree(sandbox.pid, signal.SIGTERM, grace=30))
            sandbox.wait(timeout=30)
        self.survivors = [pid for pid in self.survivors if _alive(pid)]

    def drop_databases(self) -> None:
        from dti.warehouse import drop_database

        for database in self.databases:
            drop_database(self.server_url, database)

    def trigger(self, province_code: str) -> str:
        """Trigger the province's DAG for the deployment's period through the REST API; the run id."""
        return self.stack.trigger(self.deployment.province(province_code).dag_id, {"period": self.period})

    def _dti(self, *args: str, background: bool = False):
        command = [str(Path(sys.executable).with_name("dti")), *args]
        env = {**os.environ, **self.env}
        if background:
            return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        return subprocess.run(command, env=env, check=True, capture_output=True, text=True)
