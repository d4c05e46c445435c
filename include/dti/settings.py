"""Every setting of dti-pipeline in one place: environment, paths and connections.

Read by every other module; imports no other module of ``dti``.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import yaml

# include/dti/settings.py -> the project root is two folders above the package.
PROJECT_ROOT = Path(os.environ.get("DTI_HOME", Path(__file__).resolve().parents[2]))

STATE_DIR = Path(os.environ.get("DTI_STATE_DIR", PROJECT_ROOT / ".dti"))
EMBEDDED_PG_DIR = STATE_DIR / "pg"
AIRFLOW_HOME = STATE_DIR / "airflow"
LOG_DIR = STATE_DIR / "logs"
# What the demo's procedure system holds for each period (seed and volume of its dossiers).
DEMO_DIR = STATE_DIR / "demo"
# Roots of the per-province folders: each province has its own ``<root>/<province code>`` inside
# (dti.provinces), so no province reads another's files or overwrites its publication.
INBOX_ROOT_DIR = Path(os.environ.get("DTI_INBOX_DIR", STATE_DIR / "inbox"))
# Where agencies drop files: the local inbox folder unless an fsspec URL (s3://…) is configured.
INBOX_ROOT_URL = os.environ.get("DTI_INBOX_URL") or str(INBOX_ROOT_DIR)
ARCHIVE_ROOT_DIR = Path(os.environ.get("DTI_ARCHIVE_DIR", STATE_DIR / "archive"))
OUTPUT_ROOT_DIR = Path(os.environ.get("DTI_OUTPUT_DIR", PROJECT_ROOT / "output"))
# The provinces this deployment scores (dti.provinces reads it).
PROVINCES_FILE = Path(os.environ.get("DTI_PROVINCES_FILE", PROJECT_ROOT / "provinces.yml"))

DAGS_DIR = PROJECT_ROOT / "dags"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
# The province's own catalogs of the components units fill in (department, commune, focal point).
UNIT_COMPONENTS_SEED = DBT_PROJECT_DIR / "seeds" / "catalog" / "unit_components.csv"
# The bands of the components scored in tiers, national and the province's own alike.
COMPONENT_TIERS_SEED = DBT_PROJECT_DIR / "seeds" / "catalog" / "dti_component_tiers.csv"
# The national frameworks (the years each is in force) and their components, which say where each
# value comes from (value_source): what a file of the Ministry's values is checked against.
FRAMEWORK_VERSIONS_SEED = DBT_PROJECT_DIR / "seeds" / "catalog" / "dti_framework_versions.csv"
DTI_COMPONENTS_SEED = DBT_PROJECT_DIR / "seeds" / "catalog" / "dti_components.csv"
# The answers of the components scored by the answer a unit picks, national and the province's own alike.
COMPONENT_OPTIONS_SEED = DBT_PROJECT_DIR / "seeds" / "catalog" / "dti_component_options.csv"

# One pipeline DAG per province: ``dti_pipeline_<province code>``.
DAG_ID_PREFIX = "dti_pipeline_"
# The DAG that gathers every province's published scores into the national table.
NATIONAL_DAG_ID = "dti_national_rollup"
# Where `dti what-if` seeds the indicator catalog it scores scenarios with (the same for every province).
WHAT_IF_DATABASE = "dti_what_if"
# A province's procedure-system API is the Airflow connection ``dti_procedure_api_<code>`` unless
# provinces.yml names another: host, port, scheme in ``schema`` (http or https), the bearer token
# as its password.
PROCEDURE_API_CONN_ID_PREFIX = "dti_procedure_api_"

# A submission larger than this is not opened: self-assessment workbooks are a few kB.
MAX_SUBMISSION_BYTES = int(os.environ.get("DTI_MAX_SUBMISSION_BYTES", 20 * 1024 * 1024))
# A certificate provider's export for a whole province runs to tens of MB.
MAX_PROVIDER_FILE_BYTES = int(os.environ.get("DTI_MAX_PROVIDER_FILE_BYTES", 256 * 1024 * 1024))

# How often the province assesses itself; the DAG schedule and the period label follow it.
PERIOD_GRANULARITY = os.environ.get("DTI_PERIOD_GRANULARITY", "quarter")
SCHEDULES = {"month": "@monthly", "quarter": "@quarterly", "year": "@yearly"}
# The raw gate's volume check: a source delivering fewer of the period's rows than this share of
# its median over the trailing periods is flagged in the audit and the report (a warning, since a
# source can shrink for real); no rows at all stops the run.
VOLUME_MIN_SHARE = float(os.environ.get("DTI_VOLUME_MIN_SHARE", 0.5))


PSEUDONYM_KEY_FILE = STATE_DIR / "pseudonym.key"


def pseudonym_key() -> bytes:
    """The secret that turns personal identifiers into keyed hashes at landing.

    From ``DTI_PSEUDONYM_KEY`` in a deployment; an embedded install makes one of its own under
    ``.dti/`` on first use, so the same citizen gets the same pseudonym on every run there.
    """
    configured = os.environ.get("DTI_PSEUDONYM_KEY")
    if configured:
        return configured.encode("utf-8")
    return _local_secret(PSEUDONYM_KEY_FILE).encode("utf-8")


ARCHIVE_KEY_FILE = STATE_DIR / "archive.key"
ARCHIVE_KEY_BYTES = 32  # AES-256
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")


def archive_key() -> bytes:
    """The AES-256 key that encrypts the archived originals carrying personal data (dti.archive).

    From ``DTI_ARCHIVE_KEY`` in a deployment: 32 bytes written as 64 hex digits or in base64 (e.g.
    ``openssl rand -base64 32``). An embedded install makes one of its own under ``.dti/`` on first
    use, readable by its owner only. Without the key those originals cannot be read: keep a copy
    of it apart from the archive.
    """
    configured = os.environ.get("DTI_ARCHIVE_KEY")
    if configured:
        return parse_archive_key(configured, "DTI_ARCHIVE_KEY")
    return parse_archive_key(_local_secret(ARCHIVE_KEY_FILE), str(ARCHIVE_KEY_FILE))


def previous_archive_key() -> bytes | None:
    """During a key rotation, the key the originals not yet rotated were written with
    (``DTI_ARCHIVE_OLD_KEY``, written like ``DTI_ARCHIVE_KEY``); None otherwise."""
    configured = os.environ.get("DTI_ARCHIVE_OLD_KEY")
    return parse_archive_key(configured, "DTI_ARCHIVE_OLD_KEY") if configured else None


def parse_archive_key(written: str, where: str) -> bytes:
    """A 32-byte key from its hex or base64 (standard or URL-safe) writing; ``where`` names its
    origin in the error, which never shows the key."""
    written = written.strip()
    if _HEX_KEY.fullmatch(written):
        return bytes.fromhex(written)
    try:
        standard = written.replace("-", "+").replace("_", "/")
        key = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except ValueError:  # binascii.Error, on a character outside base64
        key = b""
    if len(key) != ARCHIVE_KEY_BYTES:
        raise ValueError(f"{where} is not an archive key: write {ARCHIVE_KEY_BYTES} random bytes as 64 hex digits "
                         f"or in base64, e.g. the output of `openssl rand -base64 32`")
    return key


def _local_secret(path: Path) -> str:
    """The secret kept in ``path``, made (32 random bytes in hex, readable by the owner only) when
    there is none. Written under a temporary name and linked into place, so that of processes
    starting side by side the first one's secret is the one every process uses."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return path.read_text(encoding="utf-8").strip()


def procedure_api_base_url(scheme: str | None, host: str, port: int | None) -> str:
    """The API's base URL from the parts an Airflow HTTP connection holds."""
    return f"{scheme or 'http'}://{host}" + (f":{port}" if port else "")


def server_url() -> str | None:
    """The PostgreSQL server when the user points dti at their own (``DTI_DATABASE_URL``), else None
    (embedded). Every province's warehouse is a database of its own on this server; the URL's own
    database is only where dti connects to create them."""
    return os.environ.get("DTI_DATABASE_URL") or None


def database_on_server(server: str, dbname: str) -> str:
    """The URL of database ``dbname`` on the server of ``server`` (same host, port and user)."""
    params = PostgresParams.from_url(server)
    credentials = quote(params.user, safe="") + (f":{quote(params.password, safe='')}" if params.password else "")
    return f"postgresql://{credentials}@{params.host}:{params.port}/{dbname}"


def dag_schedule() -> str | None:
    """The province DAGs' schedule: the period's, unless ``DTI_DAG_SCHEDULE`` names another
    (a cron expression or preset), or ``none`` for a deployment whose runs are only triggered."""
    configured = os.environ.get("DTI_DAG_SCHEDULE", "").strip()
    if configured.lower() == "none":
        return None
    return configured or SCHEDULES[PERIOD_GRANULARITY]


@dataclass(frozen=True)
class PostgresParams:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> PostgresParams:
        parts = urlsplit(url)
        if not parts.hostname or parts.hostname.startswith("/"):
            # GX builds URIs from the host; a socket path breaks them.
            raise ValueError(f"the warehouse must be reached over TCP (host:port), got {url!r}")
        return cls(
            host=parts.hostname,
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            dbname=parts.path.lstrip("/") or "postgres",
        )

    def dbt_env(self) -> dict[str, str]:
        """The variables dbt_project/profiles.yml reads."""
        return {
            "DTI_PGHOST": self.host,
            "DTI_PGPORT": str(self.port),
            "DTI_PGUSER": self.user,
            "DTI_PGPASSWORD": self.password,
            "DTI_PGDATABASE": self.dbname,
        }


def dbt_project_vars() -> dict:
    """The ``vars`` of dbt_project/dbt_project.yml: the defaults of the province constants that the
    dbt models, the submission template and the report share (focal point, due days, the report's
    issuer); each province's own values come from provinces.yml (dti.provinces)."""
    with (DBT_PROJECT_DIR / "dbt_project.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle).get("vars") or {}
