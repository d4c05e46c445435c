"""Hand-written raw rows for two periods, and their build by dbt: the data of the scoring-model tests.

Three units report (a department, the focal point, a commune), every other unit reports
nothing, and the procedure system holds ten dossiers of 2026-Q3; the same submissions are given
to 2023-Q3, which the catalog scores on the 922 framework.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import psycopg.sql
import pytest

from dti import settings, warehouse
from dti.dbt_invocation import dbt_failure, invoke_dbt

PERIOD_2026, PERIOD_2023 = "2026-Q3", "2023-Q3"
VIETNAM = timezone(timedelta(hours=7))
FOCAL_POINT, DEPARTMENT, COMMUNE, SILENT_DEPARTMENT = "SKHCN", "SNV", "X07822", "STP"
# What every reporting unit sends, by rule: rates of 80 / 100, yes, partly, counts, and an
# answer's share of the points (FP05: a Vice-Chairman heads the steering committee, half of them).
RATE = (80, 100)
VALUES_BY_RULE = {"boolean": 1, "yes_partial_no": 0.5, "count_capped": 2, "tiered": 1, "categorical": 1}
FOCAL_POINT_VALUES = {"FP01": 3, "FP02": 1, "FP03": 1, "FP04": 0, "FP05": 0.5}


def catalog_seed(name: str) -> list[dict]:
    """The rows of a catalog seed (dbt_project/seeds/catalog/<name>.csv)."""
    with (settings.DBT_PROJECT_DIR / "seeds" / "catalog" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def unit_catalog(catalog: str) -> list[dict]:
    return [row for row in catalog_seed("unit_components") if row["unit_catalog"] == catalog]


def submission_rows(unit_code: str, catalog: str) -> list[tuple]:
    rows = []
    for component in unit_catalog(catalog):
        if component["scoring_rule"] == "ratio":
            numerator, denominator, value = *RATE, None
        else:
            numerator, denominator = None, None
            value = FOCAL_POINT_VALUES.get(component["component_code"], VALUES_BY_RULE[component["scoring_rule"]])
        rows.append((component["component_code"], numerator, denominator, value))
    return rows


def land_submission(conn: psycopg.Connection, period: str, unit_code: str, rows: list[tuple]) -> None:
    sha = f"{period}-{unit_code}".ljust(64, "0")
    conn.execute(
        "insert into raw.landed_files (file_sha256, source, file_name, unit_code, period, archived_path, size_bytes, "
        "batch_id, status, row_count, rejected_rows, submitted_at) "
        "values (%s, 'self_assessment_submission', %s, %s, %s, '/archive', 1, %s, 'landed', %s, 0, %s)",
        (sha, f"{unit_code}.xlsx", unit_code, period, f"batch-{sha[:12]}", len(rows),
         datetime(2026, 1, 1, tzinfo=VIETNAM)),
    )
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into raw.self_assessment_rows (unit_code, period, component_code, numerator, denominator, "
            "reported_value, _batch_id, _source, _file_name, _file_sha256, _row_number) "
            "values (%s, %s, %s, %s, %s, %s, %s, 'self_assessment_submission', %s, %s, %s)",
            [(unit_code, period, code, numerator, denominator, value, f"batch-{sha[:12]}", f"{unit_code}.xlsx", sha,
              number) for number, (code, numerator, denominator, value) in enumerate(rows, start=2)],
        )


def land_dossiers(conn: psycopg.Connection, filed_on: datetime, full_process_online: int, others: int) -> None:
    """Dossiers filed on one day: some online and full-process, the rest not."""
    rows = []
    for number in range(full_process_online + others):
        online = number < full_process_online
        filed = filed_on + timedelta(minutes=number)
        rows.append((f"D-{filed:%Y%m%d}-{number}", "1.00001", COMMUNE, filed, "online" if online else "offline", online,
                     "completed", None, "p" * 64, filed, "b", "procedure_api", "page", "f" * 64, number + 1))
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into raw.dossier_records (dossier_id, procedure_code, unit_code, filed_at, channel, full_process, "
            "status, returned_at, citizen_pseudonym, updated_at, _batch_id, _source, _file_name, _file_sha256, "
            "_row_number) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )


def build_two_periods(database_url: str, project_dir: Path = settings.DBT_PROJECT_DIR) -> None:
    """Two periods of hand-written raw rows, built by dbt (the project in ``project_dir``): seeds,
    models and every data test."""
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        for period in (PERIOD_2026, PERIOD_2023):
            land_submission(conn, period, DEPARTMENT, submission_rows(DEPARTMENT, "department"))
            land_submission(conn, period, FOCAL_POINT,
                            submission_rows(FOCAL_POINT, "department") + submission_rows(FOCAL_POINT, "focal_point"))
            land_submission(conn, period, COMMUNE, submission_rows(COMMUNE, "commune"))
        # 4 of 10 dossiers filed online and full-process in 2026-Q3; none in 2023-Q3
        land_dossiers(conn, datetime(2026, 8, 3, 9, tzinfo=VIETNAM), full_process_online=4, others=6)
    built = invoke_dbt(database_url, ["build"], project_dir)
    assert built.success, dbt_failure(built)


@contextmanager
def two_periods_built(server_url: str, folder: Path, project_dir: Path = settings.DBT_PROJECT_DIR) -> Iterator[str]:
    """A new database on ``server_url`` holding the two periods built by the project in ``project_dir`` (dbt's
    target and logs in ``folder``), dropped on leaving."""
    name = f"dti_test_{uuid.uuid4().hex[:12]}"
    url = warehouse.ensure_database(server_url, name)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DBT_TARGET_PATH", str(folder / "target"))
            patch.setenv("DBT_LOG_PATH", str(folder / "logs"))
            build_two_periods(url, project_dir)
        yield url
    finally:
        warehouse.drop_database(server_url, name)


@contextmanager
def database_copy(server_url: str, template_url: str) -> Iterator[str]:
    """A new database on ``server_url`` holding what ``template_url``'s database holds, copied by PostgreSQL
    (create database … template …: a second of file copying, where a dbt build takes tens), dropped on
    leaving. Nothing may be connected to the template meanwhile: the tests that share it read it and close."""
    name = f"dti_test_{uuid.uuid4().hex[:12]}"
    template = settings.PostgresParams.from_url(template_url).dbname
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("create database {} template {}").format(
            psycopg.sql.Identifier(name), psycopg.sql.Identifier(template)))
    try:
        yield settings.database_on_server(server_url, name)
    finally:
        warehouse.drop_database(server_url, name)
