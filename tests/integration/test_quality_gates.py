"""The quality gates on real PostgreSQL and a real GX File Data Context.

- Raw gate: a file (or API page) whose rows break a raw suite is set aside with reasons naming
  it and its rows; the other files of the period are kept for scoring.
- Marts gate: a broken mart stops the run before publishing, and what was published before
  stays byte for byte as it was. In the DAG, `publish` runs only after `validate_marts`
  succeeds (tests/test_dag_integrity.py checks that wiring); here the gate itself is driven the
  way the DAG's tasks call it. An invariant dbt's tests own (dti.quality.suites lists them) is not
  checked by the gate again: its dbt test fails instead, which fails the build before the gate.
- Every validation names its run in the Data Docs by the period and the Airflow run id, and its
  audit row leads to its page in the published Data Docs.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from dti import settings, warehouse
from dti.dbt_invocation import invoke_dbt
from dti.publish.report import publish_report
from dti.quality import gates
from dti.quality.data_docs import QUALITY_DIR, publish_data_docs
from tests.helpers import PROVINCE
from tests.scoring_data import PERIOD_2026

VIETNAM = timezone(timedelta(hours=7))


def register_page(conn: psycopg.Connection, sha: str, rows: list[tuple]) -> None:
    conn.execute(
        "insert into raw.landed_files (file_sha256, source, file_name, archived_path, size_bytes, batch_id, status, "
        "row_count) values (%s, 'procedure_api', %s, '/archive', 1, %s, 'landed', %s)",
        (sha, f"/api/v1/dossiers?page={sha[:4]}", f"api-{sha[:8]}", len(rows)),
    )
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into raw.dossier_records (dossier_id, procedure_code, unit_code, filed_at, channel, full_process, "
            "status, returned_at, citizen_pseudonym, updated_at, _batch_id, _source, _file_name, _file_sha256, "
            "_row_number) values (%s, '1.00001', %s, %s, 'online', true, 'completed', null, %s, %s, %s, "
            "'procedure_api', %s, %s, %s)",
            [(dossier_id, unit, filed, "a" * 64, filed + timedelta(hours=1), f"api-{sha[:8]}",
              f"/api/v1/dossiers?page={sha[:4]}", sha, number) for number, (dossier_id, unit, filed) in
             enumerate(rows, start=1)],
        )


def test_a_failing_api_page_is_set_aside_and_the_other_pages_are_kept(database_url):
    warehouse.ensure_schemas(database_url)
    filed = datetime(2026, 8, 3, 9, tzinfo=VIETNAM)
    good, bad = "a" * 64, "b" * 64
    with psycopg.connect(database_url, autocommit=True) as conn:
        register_page(conn, good, [("D-1", "SNV", filed), ("D-2", "X07822", filed)])
        # the second record names a unit the province does not have
        register_page(conn, bad, [("D-3", "SNV", filed), ("D-4", "SXYZ", filed)])

    outcome = gates.validate_raw_sources(database_url, PERIOD_2026, "gate-run", PROVINCE)

    assert outcome["raw_dossier_records"] == {"rows": 4, "success": False, "failed_expectations": 1,
                                              "files_quarantined": 1}
    with psycopg.connect(database_url) as conn:
        statuses = dict(conn.execute("select file_sha256, status from raw.landed_files").fetchall())
        [reason] = conn.execute("select reason from quarantine.rejected_files where file_sha256 = %s",
                                (bad,)).fetchone()
        recorded = conn.execute("select suite_name, success from audit.validation_results "
                                "where run_id = 'gate-run'").fetchall()
    assert statuses == {good: "landed", bad: "quarantined"}
    assert reason.startswith("/api/v1/dossiers?page=bbbb: ") and "rows 2" in reason and "unit_code" in reason
    assert ("raw_dossier_records", False) in recorded


def published_bytes(output: Path) -> dict[str, bytes]:
    return {str(path.relative_to(output)): path.read_bytes()
            for path in sorted((output / "reports" / "latest").resolve().rglob("*")) if path.is_file()}


@pytest.mark.parametrize("breakage, expected", [
    ("update marts.fct_dti_scores set dti_score = 1.2 where scope_code = 'SNV'", "outside [0, 1]"),
    ("update marts.fct_main_index_scores set points = max_points + 5 "
     "where scope_type = 'province' and main_index_code = 'awareness'", "exceed its maximum"),
    ("update marts.fct_dti_scores set dti_score_highest = 1.5 where scope_type = 'province'", "range reaches outside"),
    ("update marts.fct_component_scores set points = -1 where scope_code = 'SNV'", "negative points"),
])
def test_a_broken_mart_stops_the_run_before_publishing_and_the_last_report_stays(
        two_period_marts_copy, tmp_path, breakage, expected):
    database_url = two_period_marts_copy
    output = tmp_path / "output"
    # the marts pass their gate, and the report is published
    assert gates.validate_marts(database_url, PERIOD_2026, "run-1", PROVINCE)["expectations_checked"] > 0
    with psycopg.connect(database_url) as conn:
        publish_report(conn, PERIOD_2026, output, "run-1", PROVINCE)
    before = published_bytes(output)
    assert before

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(breakage)
    with pytest.raises(gates.MartsValidationFailed, match=re.escape(expected)):
        gates.validate_marts(database_url, PERIOD_2026, "run-2", PROVINCE)

    assert published_bytes(output) == before
    with psycopg.connect(database_url) as conn:
        failed = conn.execute("select count(*) from audit.validation_results where run_id = 'run-2' and not success")
        assert failed.fetchone()[0] >= 1


@pytest.mark.parametrize("breakage, owner", [
    ("update marts.fct_dti_scores set grade_code = 'excellent' where scope_code = 'STP'",
     "assert_unit_grades_follow_grade_bands"),
    ("update marts.fct_dti_scores set scope_code = 'SXYZ' where scope_code = 'STP'",
     "assert_every_unit_scored_every_period"),
    ("update marts.fct_dti_scores set scope_code = 'TINH' where scope_type = 'province'",
     "assert_every_unit_scored_every_period"),
    ("update marts.fct_component_scores set score_status = 'guessed' where scope_code = 'SNV'",
     "accepted_values_fct_component_scores_score_status__scored__missing__awaiting__not_applicable"),
])
def test_an_invariant_dbt_owns_fails_its_dbt_test(two_period_marts_copy, breakage, owner):
    database_url = two_period_marts_copy
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(breakage)

    tested = invoke_dbt(database_url, ["test", "--select", owner])

    assert not tested.success
    assert [result.node.name for result in tested.result.results if str(result.status) == "fail"] == [owner]


RUN_ID = "manual__2026-10-01T00:00:00+00:00"


@pytest.fixture()
def context_copy(tmp_path, monkeypatch) -> Path:
    """The project's GX context copied without its results, so its Data Docs hold this test's validations only."""
    context = tmp_path / "expectations"
    shutil.copytree(settings.EXPECTATIONS_DIR, context, ignore=shutil.ignore_patterns("uncommitted"))
    monkeypatch.setattr(settings, "EXPECTATIONS_DIR", context)
    return context


def test_each_validation_is_named_by_its_run_and_leads_to_its_published_data_docs_page(
        two_period_marts_copy, context_copy, tmp_path):
    database_url = two_period_marts_copy
    gates.validate_marts(database_url, PERIOD_2026, RUN_ID, PROVINCE)
    publish_data_docs(tmp_path / "output", RUN_ID, PROVINCE)
    published = tmp_path / "output" / QUALITY_DIR

    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select suite_name, gx_run_name, data_docs_page from audit.validation_results "
                            "where run_id = %s order by suite_name", (RUN_ID,)).fetchall()
    assert [suite for suite, _, _ in rows] == sorted(name for name, _ in gates.MART_QUERIES)
    run_name = f"{PERIOD_2026} · manual__2026-10-01T00_00_00+00_00"
    for suite, gx_run_name, page in rows:
        assert gx_run_name == run_name
        # GX's own folder layout, which the index links: validations/<suite>/<run name>/<run time>/<batch>.html
        assert page.startswith(f"validations/{suite}/{run_name}/") and page.endswith(".html")
        assert "__none__" not in page
        assert run_name in (published / page).read_text(encoding="utf-8")
    index = (published / "index.html").read_text(encoding="utf-8")
    assert run_name in index and "__none__" not in index
