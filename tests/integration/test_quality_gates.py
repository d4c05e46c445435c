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
import uuid
from datetime import datetime, timedelta, timezone, UTC
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
     "accepted_values_fct_component_scores_score_status__scored__missing__awaiting__not_applicable__no_data"),
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


# The volume gate: every scored source's rows for the period, against its trailing periods.
FILE_SOURCES = {"submissions": "self_assessment_submission", "certificates": "certificate_provider",
                "population": "population"}


def register_file(conn: psycopg.Connection, source: str, period: str, rows: int) -> None:
    """A file landed for ``period`` holding ``rows`` rows, as landing registers it (the gate counts
    what landing registered with the rows)."""
    sha = uuid.uuid4().hex * 2
    conn.execute(
        "insert into raw.landed_files (file_sha256, source, file_name, period, archived_path, size_bytes, batch_id, "
        "status, row_count) values (%s, %s, %s, %s, '/archive', 1, %s, 'landed', %s)",
        (sha, source, f"{source}-{period}-{sha[:6]}.csv", period, f"b-{sha[:8]}", rows))


def set_sync_position(conn: psycopg.Connection, watermark: datetime) -> None:
    conn.execute("insert into raw.sync_watermarks (source, watermark) values ('procedure_api', %s)", (watermark,))


@pytest.fixture()
def warehouse_with_sources(database_url, context_copy) -> str:
    """A warehouse whose files of every kind landed for 2026-Q3 and the year before, with the
    dossiers filed in 2026-Q3 left to each test."""
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        for period, rows in (("2026-Q3", 1_000), ("2026-Q2", 1_100), ("2026-Q1", 900), ("2025-Q4", 0)):
            for source in FILE_SOURCES.values():
                if rows:
                    register_file(conn, source, period, rows)
    return database_url


def recorded_volume_check(database_url: str, run_id: str) -> tuple[bool, list[dict]]:
    with psycopg.connect(database_url) as conn:
        return conn.execute("select success, failed_expectations from audit.validation_results "
                            "where run_id = %s and suite_name = 'raw_source_volumes'", (run_id,)).fetchone()


def test_a_scored_source_without_a_row_for_the_period_stops_the_raw_gate_naming_it(warehouse_with_sources):
    database_url = warehouse_with_sources
    with psycopg.connect(database_url, autocommit=True) as conn:
        # the last sync asked for what changed after 30 September: none of 2026-Q3's dossiers came
        set_sync_position(conn, datetime(2026, 9, 30, 16, 59, 34, tzinfo=UTC))

    with pytest.raises(gates.SourceDataMissing) as stopped:
        gates.validate_raw(database_url, PERIOD_2026, "volume-run", PROVINCE)

    assert str(stopped.value) == (
        "không có hồ sơ nào được tiếp nhận trong kỳ 2026-Q3; lần đồng bộ đã yêu cầu các hồ sơ cập nhật từ "
        "2026-09-30T16:59:34+00:00 / no dossier received in 2026-Q3; the sync asked for updates since "
        "2026-09-30T16:59:34+00:00")
    success, failures = recorded_volume_check(database_url, "volume-run")
    assert not success
    assert [(f["severity"], f["sample"]) for f in failures] == [("critical", ["0"])]


def test_an_empty_inbox_folder_is_named_in_the_reason(warehouse_with_sources):
    database_url = warehouse_with_sources
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("update raw.landed_files set status = 'quarantined' "
                     "where source = 'population' and period = %s", (PERIOD_2026,))
        register_page(conn, "c" * 64, [("D-1", "SNV", datetime(2026, 8, 3, 9, tzinfo=VIETNAM))])

    with pytest.raises(gates.SourceDataMissing, match=re.escape(
            f"no adult population rows for 2026-Q3; the inbox folder {PROVINCE.inbox_url.rstrip('/')}"
            "/population/2026-Q3 gave 0 files in use")):
        gates.validate_source_volumes(database_url, PERIOD_2026, "volume-run", PROVINCE)


def test_a_source_the_focal_point_allows_to_be_missing_is_recorded_without_stopping(warehouse_with_sources):
    database_url = warehouse_with_sources

    checked = gates.validate_raw(database_url, PERIOD_2026, "volume-run", PROVINCE,
                                 allowed_missing_sources=["dossiers"])

    assert checked["volumes"]["dossiers"] == {"rows": 0, "finding": "missing_allowed", "trailing_median": None}
    assert checked["volumes"]["certificates"] == {"rows": 1_000, "finding": "ok", "trailing_median": 1_000.0}
    success, failures = recorded_volume_check(database_url, "volume-run")
    assert not success
    assert [(f["severity"], f["note"]) for f in failures] == [
        ("warning", "A source delivered no row for the period; the focal point allowed publishing without it.")]


def test_a_source_far_below_its_trailing_periods_is_recorded_without_stopping(warehouse_with_sources):
    database_url = warehouse_with_sources
    with psycopg.connect(database_url, autocommit=True) as conn:
        register_page(conn, "d" * 64, [("D-1", "SNV", datetime(2026, 8, 3, 9, tzinfo=VIETNAM))])
        # a provider's register missing: 2026-Q3 has 400 certificate rows, its trailing median is 1,000
        conn.execute("update raw.landed_files set row_count = 400 where source = 'certificate_provider' "
                     "and period = %s", (PERIOD_2026,))

    checked = gates.validate_source_volumes(database_url, PERIOD_2026, "volume-run", PROVINCE,
                                            frozenset(), min_share=0.5)

    assert checked["certificates"] == {"rows": 400, "finding": "below_trailing_median", "trailing_median": 1_000.0}
    assert {source: found["finding"] for source, found in checked.items()} == {
        "submissions": "ok", "certificates": "below_trailing_median", "population": "ok", "dossiers": "ok"}
    success, failures = recorded_volume_check(database_url, "volume-run")
    assert not success
    assert [(f["severity"], f["unexpected_count"]) for f in failures] == [("warning", 1)]
