"""The audit trail on real PostgreSQL: runs, every expectation's result, dbt's node results and
the checksums of what was published, recorded through the functions the DAG's tasks call; and
no record can be changed or removed once written."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from dti import audit, warehouse
from dti.dbt_invocation import invoke_dbt
from dti.publication import write_publication_atomically
from dti.quality import suites
from dti.quality.assets import RAW_SUBMISSIONS_ASSET
from dti.quality.validation import record_validation, validate_frame
from tests.helpers import PROVINCE

PERIOD = "2026-Q3"


def submission_rows(*unit_codes: str) -> pd.DataFrame:
    """Landed self-assessment rows as the raw gate reads them: one submission per unit code."""
    return pd.DataFrame([
        {"unit_code": unit_code, "unit_name": "Sở Nội vụ", "period": PERIOD, "component_code": "CQ01",
         "component_name": "Tỷ lệ dịch vụ công trực tuyến", "numerator": 60.0, "denominator": 100.0,
         "reported_value": None, "evidence_document": "12/BC", "_batch_id": f"batch-{number}", "_source": "inbox",
         "_file_name": f"{unit_code}.xlsx", "_file_sha256": str(number) * 64, "_row_number": 2,
         "_loaded_at": pd.Timestamp("2026-10-02T08:00:00Z")}
        for number, unit_code in enumerate(unit_codes, start=1)
    ], columns=suites.RAW_SUBMISSION_COLUMNS)


def test_each_run_keeps_its_start_end_and_one_row_per_validation_with_every_expectation(database_url):
    warehouse.ensure_schemas(database_url)
    clean = validate_frame(suites.RAW_SUBMISSIONS_SUITE, RAW_SUBMISSIONS_ASSET, submission_rows("SNV", "STP"), PROVINCE)
    # the second run receives a row of a unit the province does not have
    broken = validate_frame(suites.RAW_SUBMISSIONS_SUITE, RAW_SUBMISSIONS_ASSET, submission_rows("SNV", "SXYZ"),
                            PROVINCE)

    with psycopg.connect(database_url) as conn:
        audit.record_run_started(conn, "run-1", PERIOD)
        record_validation(conn, "run-1", clean)
        ended_1 = audit.record_run_ended(conn, "run-1", PERIOD, {
            "validate_raw": [{"rows": 2, "success": True}], "publish": [{"report_path": "/r/index.html"}]})
        audit.record_run_started(conn, "run-2", PERIOD)
        record_validation(conn, "run-2", broken)
        ended_2 = audit.record_run_ended(conn, "run-2", PERIOD, {
            "validate_raw": [{"rows": 2, "success": False}], "publish": []})

    assert (ended_1, ended_2) == ("success", "failed")
    with psycopg.connect(database_url) as conn:
        runs = conn.execute("select run_id, status, started_at is not null, ended_at is not null "
                            "from audit.pipeline_runs order by recorded_at").fetchall()
        summary = conn.execute("select run_id, status, period, started_at <= ended_at, stage_counts "
                               "from audit.pipeline_run_summary order by run_id").fetchall()
        validations = conn.execute("select run_id, suite_name, success, evaluated, unsuccessful, validation_id "
                                   "from audit.validation_results order by run_id").fetchall()
        expectations = conn.execute(
            "select e.run_id, e.expectation_type, e.column_name, e.success, e.unexpected_count, e.unexpected_sample, "
            "e.observed_value from audit.expectation_results e join audit.validation_results v using (validation_id) "
            "where v.run_id = e.run_id and v.suite_name = e.suite_name order by e.run_id").fetchall()

    assert runs == [("run-1", "running", True, False), ("run-1", "success", True, True),
                    ("run-2", "running", True, False), ("run-2", "failed", True, True)]
    assert [row[:4] for row in summary] == [("run-1", "success", PERIOD, True), ("run-2", "failed", PERIOD, True)]
    assert summary[0][4]["validate_raw"] == [{"rows": 2, "success": True}]
    assert summary[0][4]["transform"] == {}  # no dbt result recorded for these runs

    assert [row[:5] for row in validations] == [
        ("run-1", suites.RAW_SUBMISSIONS_SUITE, True, clean.evaluated, 0),
        ("run-2", suites.RAW_SUBMISSIONS_SUITE, False, broken.evaluated, 1),
    ]
    for run_id, evaluated in (("run-1", clean.evaluated), ("run-2", broken.evaluated)):
        assert len([row for row in expectations if row[0] == run_id]) == evaluated
    [failed] = [row for row in expectations if not row[3]]
    assert failed[:6] == ("run-2", "expect_column_values_to_be_in_set", "unit_code", False, 1, ["SXYZ"])
    columns_check = next(row for row in expectations
                         if row[0] == "run-1" and row[1] == "expect_table_columns_to_match_set")
    assert sorted(columns_check[6]) == sorted(suites.RAW_SUBMISSION_COLUMNS)


@pytest.fixture()
def dbt_target(tmp_path, monkeypatch) -> Path:
    """dbt writes its target (run_results.json among it) and logs in the test's folder."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    return tmp_path / "target"


def test_every_dbt_node_result_of_a_real_invocation_is_recorded(database_url, dbt_target):
    warehouse.ensure_schemas(database_url)
    # A seed with its tests passes; a model whose seeds were never loaded fails.
    invoke_dbt(database_url, ["build", "--select", "grade_bands", "int_catalog__unit_components"])
    run_results = json.loads((dbt_target / "run_results.json").read_text(encoding="utf-8"))
    expected = {(node["unique_id"], node["status"]) for node in run_results["results"]}

    with psycopg.connect(database_url) as conn:
        recorded = audit.record_dbt_results(conn, "run-1", dbt_target / "run_results.json")
        again = audit.record_dbt_results(conn, "run-1", dbt_target / "run_results.json")
        rows = conn.execute("select unique_id, resource_type, status, execution_time, failures, message, "
                            "invocation_id, dbt_command from audit.dbt_results where run_id = 'run-1'").fetchall()
        counts = audit.dbt_result_counts(conn, "run-1")

    assert recorded == again == len(rows) == len(run_results["results"])
    assert {(row[0], row[2]) for row in rows} == expected
    assert {row[1] for row in rows} >= {"seed", "test", "model"}
    statuses = {row[0].split(".")[-1]: row[2] for row in rows if row[1] != "test"}
    assert statuses == {"grade_bands": "success", "int_catalog__unit_components": "error"}
    failed_model = next(row for row in rows if row[0].endswith("int_catalog__unit_components"))
    assert "does not exist" in failed_model[5]
    assert all(row[3] is not None for row in rows)
    assert {row[6] for row in rows} == {run_results["metadata"]["invocation_id"]}
    assert {row[7] for row in rows} == {"build"}
    assert counts["seed"] == {"success": 1} and counts["model"] == {"error": 1}


def test_a_publication_records_the_checksum_of_every_file_it_wrote(database_url, tmp_path):
    warehouse.ensure_schemas(database_url)
    files = {"index.html": "<h1>Báo cáo DTI</h1>".encode(), "data/scores.xlsx": b"PK\x03\x04 workbook",
             "docs/dbt/index.html": b"<html>dbt docs</html>"}
    build = write_publication_atomically(tmp_path / "output", PERIOD, "manual__2026-10-05", files)

    with psycopg.connect(database_url) as conn:
        publication_id = audit.record_publication(conn, "manual__2026-10-05", PERIOD, build)
        publication = conn.execute("select run_id, period, path from audit.publications").fetchone()
        recorded = dict(conn.execute("select relative_path, sha256 from audit.published_files "
                                     "where publication_id = %s", (publication_id,)).fetchall())

    assert publication == ("manual__2026-10-05", PERIOD, str(build))
    # What a reader downloads through the `latest` link is what was recorded.
    latest = tmp_path / "output" / "reports" / "latest"
    assert recorded == {name: hashlib.sha256((latest / name).read_bytes()).hexdigest() for name in files}


AUDIT_TABLES = ["pipeline_runs", "validation_results", "expectation_results", "dbt_results", "publications",
                "published_files"]


@pytest.fixture()
def audited_warehouse(database_url, tmp_path) -> str:
    """A warehouse with one row in every audit table."""
    warehouse.ensure_schemas(database_url)
    build = write_publication_atomically(tmp_path / "output", PERIOD, "run-1", {"index.html": b"report"})
    run_results = tmp_path / "run_results.json"
    run_results.write_text(json.dumps({"metadata": {"invocation_id": "inv-1"}, "args": {"which": "run"}, "results": [
        {"unique_id": "model.dti.fct_dti_scores", "status": "success", "execution_time": 0.5, "failures": None,
         "message": "SELECT 42"}]}))
    with psycopg.connect(database_url) as conn:
        audit.record_run_started(conn, "run-1", PERIOD)
        record_validation(conn, "run-1", validate_frame(
            suites.RAW_SUBMISSIONS_SUITE, RAW_SUBMISSIONS_ASSET, submission_rows("SNV"), PROVINCE))
        audit.record_dbt_results(conn, "run-1", run_results)
        audit.record_publication(conn, "run-1", PERIOD, build)
    return database_url


@pytest.mark.parametrize("table", AUDIT_TABLES)
@pytest.mark.parametrize("change", ["update audit.{} set run_id = run_id", "delete from audit.{}",
                                    "truncate audit.{} cascade"])
def test_audit_rows_cannot_be_changed_or_removed(audited_warehouse, table, change):
    statement = change.format(table)
    if table == "published_files" and "truncate" not in change:
        statement = statement.replace("run_id = run_id", "sha256 = sha256")
    with psycopg.connect(audited_warehouse) as conn:
        before = conn.execute(f"select count(*) from audit.{table}").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(statement)
    with psycopg.connect(audited_warehouse) as conn:
        assert conn.execute(f"select count(*) from audit.{table}").fetchone()[0] == before >= 1


def test_applying_the_schema_again_keeps_every_audit_row(audited_warehouse):
    with psycopg.connect(audited_warehouse) as conn:
        before = {table: conn.execute(f"select count(*) from audit.{table}").fetchone()[0] for table in AUDIT_TABLES}
    warehouse.ensure_schemas(audited_warehouse)
    with psycopg.connect(audited_warehouse) as conn:
        after = {table: conn.execute(f"select count(*) from audit.{table}").fetchone()[0] for table in AUDIT_TABLES}
        sequences = conn.execute("select count(*) from pg_sequences where schemaname = 'audit'").fetchone()[0]
    assert after == before
    assert sequences == 2  # validation ids and publication ids, not one more per application


def test_the_project_commit_is_read_from_git_or_left_empty(tmp_path):
    commit = audit.project_commit()
    assert commit is None or len(commit) == 40
    assert audit.project_commit(tmp_path) is None
