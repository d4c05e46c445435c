"""The full stack's docker-compose.yml, Dockerfile and .env.example agree with each other and with
the project, checked without Docker (`make lint-compose` checks the Compose schema)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
SERVICES = yaml.safe_load(COMPOSE_TEXT)["services"]

AIRFLOW_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker", "airflow-init")
LONG_RUNNING = ("postgres", "warehouse", "redis", "procedure-api") + AIRFLOW_SERVICES[:-1]
PROJECT_FOLDERS = ("dags", "dbt_project", "expectations", "include")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}; `$$` escapes a dollar.
VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|TOKEN")
# The Airflow connection of the procedure-system API that provinces.yml names for the province.
PROCEDURE_API_CONNECTION = "AIRFLOW_CONN_DTI_PROCEDURE_API"
# profiles.yml's connection to the server; each province supplies its database (DTI_PGDATABASE).
DBT_SERVER_VARIABLES = {"DTI_PGHOST", "DTI_PGPORT", "DTI_PGUSER", "DTI_PGPASSWORD"}


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, separator, value = line.partition("=")
            assert separator, f".env.example: {line!r} is not NAME=value"
            values[name.strip()] = value.strip()
    return values


def interpolate(value, variables: dict[str, str]):
    """``value`` (any YAML node) with ${…} replaced the way compose does it."""
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match) -> str:
        given = variables.get(match["name"], "")
        if match["op"] in (":-", "-") and not given:
            return match["arg"]
        if match["op"] in (":?", "?") and not given:
            raise AssertionError(f"{match['name']} is required: {match['arg']}")
        return given

    return VARIABLE.sub(replace, value.replace("$$", "\0")).replace("\0", "$")


def environment(service: str) -> dict[str, str]:
    """The service's environment as the containers get it from .env.example's values."""
    return {name: str(value) for name, value in interpolate(SERVICES[service]["environment"], env_example()).items()}


def mounts(service: str) -> dict[str, str]:
    """Container path -> host source (or volume name) of the service's volumes."""
    result = {}
    for volume in interpolate(SERVICES[service].get("volumes", []), env_example()):
        source, target = volume.split(":")[:2]
        result[target] = source
    return result


def test_every_service_of_the_stack_is_defined():
    assert set(LONG_RUNNING) | set(AIRFLOW_SERVICES) <= set(SERVICES)
    assert SERVICES["postgres"]["image"].startswith("postgres:16")
    assert SERVICES["warehouse"]["image"].startswith("postgres:16")
    # Separate servers, separate data.
    assert mounts("postgres")["/var/lib/postgresql/data"] != mounts("warehouse")["/var/lib/postgresql/data"]


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_long_running_services_have_a_healthcheck(service):
    healthcheck = SERVICES[service].get("healthcheck") or {}
    assert healthcheck.get("test") and not healthcheck.get("disable"), f"{service} has no health check"
    assert SERVICES[service].get("restart") == "always"


def test_airflow_commands_and_their_health_checks():
    commands = {service: SERVICES[service].get("command") for service in AIRFLOW_SERVICES[:-1]}
    assert commands == {"airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
                        "airflow-dag-processor": "dag-processor", "airflow-triggerer": "triggerer",
                        "airflow-worker": "celery worker"}
    assert "/api/v2/version" in " ".join(SERVICES["airflow-apiserver"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(SERVICES["airflow-worker"]["healthcheck"]["test"])
    assert "8080:8080" in SERVICES["airflow-apiserver"]["ports"]
    init = "\n".join(SERVICES["airflow-init"]["command"])
    assert "airflow db migrate" in init
    assert "mkdir" in init


@pytest.mark.parametrize("service", AIRFLOW_SERVICES[:-1])
def test_airflow_services_start_after_init_and_healthy_dependencies(service):
    depends_on = SERVICES[service]["depends_on"]
    assert depends_on["airflow-init"] == {"condition": "service_completed_successfully"}
    for dependency in ("postgres", "redis", "warehouse"):
        assert depends_on[dependency] == {"condition": "service_healthy"}
    for dependency, condition in depends_on.items():
        expected = "service_completed_successfully" if dependency == "airflow-init" else "service_healthy"
        assert condition == {"condition": expected}
        assert dependency == "airflow-init" or "healthcheck" in SERVICES[dependency]


def test_the_worker_waits_for_the_procedure_api_it_pulls_from():
    assert SERVICES["airflow-worker"]["depends_on"]["procedure-api"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("service", AIRFLOW_SERVICES)
def test_celery_executor_with_the_redis_service_as_broker(service):
    env = environment(service)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)
    assert urlsplit(env["AIRFLOW__CELERY__RESULT_BACKEND"]).hostname == "postgres"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    # The DAG file parses in seconds (no dbt at parse time): Airflow's own timeouts hold.
    assert "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT" not in env
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("change-me")


def test_the_image_and_the_init_service_parse_the_dbt_manifest_the_dags_are_rendered_from():
    assert "RUN dti manifest\n" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
    init = "\n".join(SERVICES["airflow-init"]["command"])
    # before the services start, and only when the mounted project differs from what was parsed
    assert init.index("dti manifest --if-stale") < init.index("airflow db migrate")


def test_metadata_database_is_the_postgres_service():
    env = environment("airflow-scheduler")
    postgres = interpolate(SERVICES["postgres"]["environment"], env_example())
    for url in (env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], env["AIRFLOW__CELERY__RESULT_BACKEND"]):
        parts = urlsplit(url)
        assert parts.hostname == "postgres"
        assert (parts.username, parts.password) == (postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"])
        assert parts.path.lstrip("/") == postgres["POSTGRES_DB"]


@pytest.mark.parametrize("service", AIRFLOW_SERVICES)
def test_project_folders_are_mounted_where_settings_look(service):
    env = environment(service)
    home = env["DTI_HOME"]
    found = mounts(service)
    for folder in PROJECT_FOLDERS:
        assert found.get(f"{home}/{folder}") == f"./{folder}", f"{service} does not mount ./{folder}"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == f"{home}/dags"
    assert found[env["DTI_INBOX_DIR"]] == env_example()["DTI_INBOX_HOST_DIR"]
    assert "${DTI_INBOX_HOST_DIR:-./inbox}" in COMPOSE_TEXT
    assert found[env["DTI_OUTPUT_DIR"]] == "./output"
    assert env["DTI_ARCHIVE_DIR"] in found
    assert found["/opt/airflow/logs"] == "./logs"
    assert found[env["DTI_PROVINCES_FILE"]] == "./provinces.yml"
    assert f"./provinces.yml:{env['DTI_PROVINCES_FILE']}:ro" in SERVICES[service]["volumes"]


@pytest.mark.parametrize("service", AIRFLOW_SERVICES)
def test_dti_settings_and_secrets_reach_the_airflow_services(service):
    env = environment(service)
    for name in ("DTI_HOME", "DTI_DATABASE_URL", "DTI_INBOX_DIR", "DTI_ARCHIVE_DIR", "DTI_OUTPUT_DIR",
                 "DTI_PSEUDONYM_KEY", "DTI_ARCHIVE_KEY", "DTI_PROVINCES_FILE", "DTI_LOADER_PASSWORD",
                 "DTI_TRANSFORMER_PASSWORD", "DTI_READER_PASSWORD", PROCEDURE_API_CONNECTION):
        assert env.get(name), f"{service} lacks {name}"
    assert SERVICES[service]["env_file"] in (".env", [".env"])


def test_the_warehouse_url_is_the_warehouse_service_as_its_administrator():
    env = environment("airflow-worker")
    warehouse = interpolate(SERVICES["warehouse"]["environment"], env_example())
    parts = urlsplit(env["DTI_DATABASE_URL"])
    assert parts.hostname == "warehouse"
    assert (parts.username, parts.password, parts.path.lstrip("/")) == (
        warehouse["POSTGRES_USER"], warehouse["POSTGRES_PASSWORD"], warehouse["POSTGRES_DB"])


def test_dbt_reaches_the_warehouse_server_as_the_url_does():
    profile = (ROOT / "dbt_project" / "profiles.yml").read_text(encoding="utf-8")
    assert set(re.findall(r"env_var\('([A-Z_0-9]+)'", profile)) >= DBT_SERVER_VARIABLES
    for service in ("airflow-dag-processor", "airflow-worker"):
        env = environment(service)
        server = urlsplit(env["DTI_DATABASE_URL"])
        assert (env["DTI_PGHOST"], int(env["DTI_PGPORT"]), env["DTI_PGUSER"], env["DTI_PGPASSWORD"]) == (
            server.hostname, server.port, server.username, server.password)


def test_the_procedure_api_connection_reaches_the_sandbox_with_its_token():
    connection = urlsplit(environment("airflow-worker")[PROCEDURE_API_CONNECTION])
    command = interpolate(SERVICES["procedure-api"]["command"], env_example())
    assert command[:2] == ["dti", "sandbox-api"]
    option = dict(zip(command[2::2], command[3::2], strict=False))
    assert connection.scheme == "http"
    assert connection.hostname == "procedure-api"
    assert connection.port == int(option["--port"])
    assert option["--host"] == "0.0.0.0"
    assert connection.password == option["--token"]
    # dags/dti_pipeline.py takes the scheme it calls the API with from the connection's schema.
    assert connection.path.lstrip("/") in ("http", "https")


def test_every_compose_variable_is_in_env_example():
    code = "\n".join(line for line in COMPOSE_TEXT.splitlines() if not line.lstrip().startswith("#"))
    used = {match["name"] for match in VARIABLE.finditer(code.replace("$$", ""))}
    assert used
    assert used - set(env_example()) == set()


def test_env_example_holds_placeholders_and_no_secret():
    values = env_example()
    secrets = {name: value for name, value in values.items() if SECRET_NAME.search(name)}
    assert {"AIRFLOW_JWT_SECRET", "DTI_PSEUDONYM_KEY", "DTI_ARCHIVE_KEY", "DTI_LOADER_PASSWORD",
            "DTI_TRANSFORMER_PASSWORD", "DTI_READER_PASSWORD"} <= set(secrets)
    for name, value in secrets.items():
        assert value.startswith("change-me"), f"{name} in .env.example must be a change-me placeholder"
    for name, value in values.items():
        # A long run of letters and digits with no word in it is what a generated key looks like.
        if not value.startswith("change-me"):
            assert not re.fullmatch(r"[A-Za-z0-9+/=_-]{20,}", value), f"{name} in .env.example looks like a secret"


def test_the_real_env_file_stays_out_of_git_and_the_image():
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    ignored_by_docker = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for path in (".env", ".venv", ".dti", "output", ".git"):
        assert path in ignored_by_docker


def constraint_pin(package: str) -> str:
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        name, _, version = line.partition("==")
        if name.strip().lower() == package:
            return version.strip()
    raise AssertionError(f"constraints.txt pins no {package}")


def test_dockerfile_builds_on_the_pinned_airflow_and_python():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    bases = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert len(bases) == 1
    image = re.fullmatch(r"apache/airflow:(?P<airflow>\d+\.\d+\.\d+)-python(?P<python>\d+\.\d+)", bases[0])
    assert image, f"base image {bases[0]} is not apache/airflow:<version>-python<version>"
    assert image["airflow"] == constraint_pin("apache-airflow")
    assert image["python"] == "3.11"


def test_dockerfile_installs_the_project_editable_with_the_constraints():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    installs = [line for line in re.findall(r"^RUN\s+(.*)$", dockerfile, flags=re.MULTILINE) if "pip install" in line]
    assert len(installs) == 1
    assert re.search(r"\s-e\s+/opt/dti(\s|$)", installs[0])
    assert re.search(r"\s-c\s+\S*constraints\.txt", installs[0])
    # The install runs as the airflow user, after the last root step.
    before_install = dockerfile[: dockerfile.index(installs[0])]
    assert re.findall(r"^USER\s+(\S+)", before_install, flags=re.MULTILINE)[-1] == "airflow"
    assert "DTI_HOME=/opt/dti" in dockerfile
    assert SERVICES["airflow-worker"]["build"] == "."
