"""The provinces a deployment scores, read from ``provinces.yml`` (``DTI_PROVINCES_FILE``).

Each province runs the same pipeline with its own configuration: its reporting units and targets
(a seed folder of its own), its inbox, archive and output folders, its procedure-system API
connection, its dbt vars (focal point, due days, the report's issuer) and its own warehouse
database, so no province's tasks read or write another's data. The national peers' published
results (``peer_dti_results``) and the indicator catalog stay shared in ``dbt_project/seeds``.

Imports only ``dti.settings``, so the DAG files, the CLI and every stage can read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dti import settings
from dti.roles import role_url

CODE_PATTERN = re.compile(r"^[a-z0-9_]+$")
# PostgreSQL truncates identifiers longer than this, which could make two provinces' databases one.
MAX_DATABASE_NAME = 63
DEFAULT_NATIONAL_DATABASE = "dti_national"
SEED_FILES = ("reporting_units.csv", "province_targets.csv")
# The folder of dbt_project/ holding one seed folder per province.
PROVINCE_SEEDS_FOLDER = "provinces"
# The dbt vars each province takes from its own keys, not from ``vars``.
VARS_FROM_KEYS = {"dti_province_name_vi": "name_vi", "dti_peer_province_name": "peer_name"}
PROVINCE_KEYS = {"code", "name_vi", "name_en", "peer_name", "database", "seeds", "inbox", "archive", "output",
                 "procedure_api_conn_id", "vars"}
REQUIRED_KEYS = ("code", "name_vi", "peer_name")
TOP_LEVEL_KEYS = {"provinces", "national"}
NATIONAL_KEYS = {"database"}


class ProvincesConfigError(ValueError):
    """provinces.yml cannot be used as written; the message names the file, the province and the key."""


@dataclass(frozen=True)
class Province:
    code: str  # slug of the province: names its DAG, database and folders
    name_vi: str  # as the report's heading writes it, e.g. "Tỉnh Bắc Ninh"
    name_en: str  # e.g. "Bắc Ninh province"
    peer_name: str  # as the national published results (peer_dti_results) name it
    database: str  # its warehouse: a database of its own on the server
    seeds_dir: Path  # its reporting_units.csv and province_targets.csv, a folder of dbt_project/provinces/
    inbox_url: str  # a folder or any fsspec URL, with <kind>/<period>/ inside
    archive_dir: Path
    output_dir: Path
    procedure_api_conn_id: str
    # Every dbt var of the project for this province: dbt_project.yml's defaults, then its own.
    dbt_vars: Mapping[str, Any] = field(hash=False)

    @property
    def dag_id(self) -> str:
        return f"{settings.DAG_ID_PREFIX}{self.code}"

    @property
    def published_scores_asset(self) -> str:
        """The Airflow asset its publish task updates and the national roll-up is scheduled on."""
        return f"dti_published_scores_{self.code}"

    @property
    def reporting_units_seed(self) -> Path:
        return self.seeds_dir / "reporting_units.csv"

    @property
    def focal_point_unit_code(self) -> str:
        return str(self.dbt_vars["dti_focal_point_unit_code"])

    @property
    def submission_due_days(self) -> int:
        return int(self.dbt_vars["dti_submission_due_days"])

    @property
    def name_in_text_vi(self) -> str:
        """The name inside a Vietnamese sentence: "tỉnh Bắc Ninh"."""
        return self.name_vi[:1].lower() + self.name_vi[1:]

    def dbt_env(self) -> dict[str, str]:
        """What dbt needs besides the server's connection (``DTI_PG*`` of the environment): the
        province's database and seed folder, read by profiles.yml and dbt_project.yml.

        The seed folder is given relative to the project: dbt writes each seed's SQL to
        ``target/run/<project>/<seed path>``, which for an absolute path would be the seed file itself."""
        return {"DTI_PGDATABASE": self.database, "DTI_PROVINCE_SEEDS": f"{PROVINCE_SEEDS_FOLDER}/{self.seeds_dir.name}"}

    def warehouse_url(self, role: str | None = None) -> str:
        """The URL of the province's database on the configured server (``DTI_DATABASE_URL``), as
        the server's user, or as one of the least-privilege ``role``s of ``dti.roles``."""
        url = settings.database_on_server(configured_server(), self.database)
        return role_url(url, role) if role else url


@dataclass(frozen=True)
class Deployment:
    """Everything provinces.yml configures: the provinces, the first one the default, and the
    database of the national roll-up."""

    provinces: tuple[Province, ...]
    national_database: str
    source: Path

    @property
    def default(self) -> Province:
        return self.provinces[0]

    def province(self, code: str) -> Province:
        for province in self.provinces:
            if province.code == code:
                return province
        known = ", ".join(province.code for province in self.provinces)
        raise ProvincesConfigError(f"{self.source}: no province {code!r}; configured: {known}")

    def national_url(self) -> str:
        return settings.database_on_server(configured_server(), self.national_database)


def load_deployment(path: Path | None = None) -> Deployment:
    """Read and check provinces.yml (``path``, else ``DTI_PROVINCES_FILE``, else the project's)."""
    source = Path(path or settings.PROVINCES_FILE)
    try:
        document = yaml.safe_load(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProvincesConfigError(f"{source}: the provinces file does not exist (set DTI_PROVINCES_FILE)") from None
    except yaml.YAMLError as error:
        raise ProvincesConfigError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise ProvincesConfigError(f"{source}: expected a mapping with a 'provinces' list")
    _refuse_unknown(source, "", document, TOP_LEVEL_KEYS)
    entries = document.get("provinces")
    if not isinstance(entries, list) or not entries:
        raise ProvincesConfigError(f"{source}: provinces: expected a list of at least one province")
    project_vars = settings.dbt_project_vars()
    provinces = tuple(_province(source, index, entry, project_vars) for index, entry in enumerate(entries))
    national = document.get("national") or {}
    if not isinstance(national, dict):
        raise ProvincesConfigError(f"{source}: national: expected a mapping")
    _refuse_unknown(source, "national: ", national, NATIONAL_KEYS)
    national_database = _database_name(source, "national: database",
                                       national.get("database", DEFAULT_NATIONAL_DATABASE))
    _refuse_shared(source, provinces, national_database)
    return Deployment(provinces=provinces, national_database=national_database, source=source)


def load_provinces(path: Path | None = None) -> tuple[Province, ...]:
    return load_deployment(path).provinces


def default_province(path: Path | None = None) -> Province:
    """The first province of provinces.yml: what ``dti`` commands use without ``--province``."""
    return load_deployment(path).default


def _province(source: Path, index: int, entry: object, project_vars: Mapping[str, Any]) -> Province:
    if not isinstance(entry, dict):
        raise ProvincesConfigError(f"{source}: provinces[{index}]: expected a mapping of keys")
    code = entry.get("code")
    where = f"province {code!r}" if isinstance(code, str) and code else f"provinces[{index}]"

    def fail(key: str, problem: str) -> ProvincesConfigError:
        return ProvincesConfigError(f"{source}: {where}: {key}: {problem}")

    _refuse_unknown(source, f"{where}: ", entry, PROVINCE_KEYS)
    for key in REQUIRED_KEYS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise fail(key, "required, a non-empty text")
    if not CODE_PATTERN.match(code):
        raise fail("code", f"{code!r} may hold only lower-case letters, digits and '_' (it names the DAG and database)")
    for key in ("name_en", "database", "seeds", "inbox", "archive", "output", "procedure_api_conn_id"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
            raise fail(key, "expected a non-empty text")
    seeds = entry.get("seeds", code)
    if not CODE_PATTERN.match(seeds):
        raise fail("seeds", f"{seeds!r} must name a folder of {settings.DBT_PROJECT_DIR / PROVINCE_SEEDS_FOLDER} "
                            "(dbt reads a province's seeds inside its project)")
    seeds_dir = settings.DBT_PROJECT_DIR / PROVINCE_SEEDS_FOLDER / seeds
    missing = [name for name in SEED_FILES if not (seeds_dir / name).is_file()]
    if missing:
        raise fail("seeds", f"{seeds_dir} lacks {', '.join(missing)}")
    own_vars = entry.get("vars") or {}
    if not isinstance(own_vars, dict):
        raise fail("vars", "expected a mapping of dbt var names to values")
    for name in own_vars:
        if name in VARS_FROM_KEYS:
            raise fail(f"vars: {name}", f"set the province's {VARS_FROM_KEYS[name]!r} key instead")
        if name not in project_vars and not str(name).startswith("dti_report_"):
            raise fail(f"vars: {name}", "not a var of dbt_project.yml nor a dti_report_* var of the report's issuer")
    return Province(
        code=code,
        name_vi=entry["name_vi"].strip(),
        name_en=entry.get("name_en", f"{entry['peer_name'].strip()} province"),
        peer_name=entry["peer_name"].strip(),
        database=_database_name(source, f"{where}: database", entry.get("database", f"dti_{code}")),
        seeds_dir=seeds_dir,
        inbox_url=_location(source, entry["inbox"]) if "inbox" in entry else _child(settings.INBOX_ROOT_URL, code),
        archive_dir=_path(source, entry["archive"]) if "archive" in entry else settings.ARCHIVE_ROOT_DIR / code,
        output_dir=_path(source, entry["output"]) if "output" in entry else settings.OUTPUT_ROOT_DIR / code,
        procedure_api_conn_id=entry.get("procedure_api_conn_id", f"{settings.PROCEDURE_API_CONN_ID_PREFIX}{code}"),
        dbt_vars={**project_vars, "dti_province_name_vi": entry["name_vi"].strip(),
                  "dti_peer_province_name": entry["peer_name"].strip(), **own_vars},
    )


def _refuse_unknown(source: Path, where: str, entry: Mapping, known: set[str]) -> None:
    unknown = sorted(str(key) for key in entry if key not in known)
    if unknown:
        raise ProvincesConfigError(f"{source}: {where}{unknown[0]}: unknown key; "
                                   f"known keys: {', '.join(sorted(known))}")


def _database_name(source: Path, where: str, name: object) -> str:
    if not isinstance(name, str) or not CODE_PATTERN.match(name) or len(name) > MAX_DATABASE_NAME:
        raise ProvincesConfigError(
            f"{source}: {where}: {name!r} must be lower-case letters, digits and '_', at most {MAX_DATABASE_NAME}")
    return name


def _refuse_shared(source: Path, provinces: tuple[Province, ...], national_database: str) -> None:
    """Two provinces sharing a code, a database or a folder would see each other's data (and two
    sharing a seed folder would be one province's units scored twice)."""
    keys = {"code": "code", "database": "database", "inbox_url": "inbox", "archive_dir": "archive",
            "output_dir": "output", "seeds_dir": "seeds"}
    for field_name, key in keys.items():
        seen: dict[object, str] = {}
        for province in provinces:
            value = getattr(province, field_name)
            if value in seen:
                raise ProvincesConfigError(
                    f"{source}: province {province.code!r}: {key}: {value} is already used by province "
                    f"{seen[value]!r}; each province needs its own")
            seen[value] = province.code
    for province in provinces:
        if province.database == national_database:
            raise ProvincesConfigError(
                f"{source}: province {province.code!r}: database: {national_database} is the national roll-up's")


def _path(source: Path, text: str) -> Path:
    """A path as written in the file: relative ones are read from the file's folder."""
    path = Path(text).expanduser()
    return path if path.is_absolute() else (source.parent / path).resolve()


def _location(source: Path, text: str) -> str:
    return text if "://" in text else str(_path(source, text))


def _child(root: str, name: str) -> str:
    return f"{root.rstrip('/')}/{name}"


def configured_server() -> str:
    """The server of ``DTI_DATABASE_URL``, which a task needs (the CLI sets it to the embedded one)."""
    configured = settings.server_url()
    if not configured:
        raise RuntimeError("DTI_DATABASE_URL is not set: the tasks need the PostgreSQL server the warehouses are on")
    return configured
