"""``dti trace`` on real PostgreSQL: the chain behind a score, from the points to the archived file.

One unit's workbook lands through the real landing (archived under its sha256), a second unit's
rows and a procedure-system page are written by hand with their originals archived beside them,
and the validations of three runs are recorded; dbt builds the trace mart; the trace is then
checked against figures worked out here by hand, and against the archived bytes.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from rich.console import Console
from typer.testing import CliRunner

from dti import cli, landing, settings, warehouse
from dti.dbt_invocation import dbt_failure, invoke_dbt
from dti.landing.submissions import land_submission
from dti.quality.validation import FailedExpectation, ValidationSummary, record_validation
from dti.sources.inbox import InboxFile
from dti.trace import TraceError, print_trace, trace_score
from dti.sources.submission_template import submission_rules
from tests.helpers import PROVINCE, provinces_file_with_database, submission_row, workbook_bytes

pytestmark = pytest.mark.integration

PERIOD = "2026-Q3"
VIETNAM = timezone(timedelta(hours=7))
# SNV reports 80 of 100 tasks on time (its real workbook, row 2); STP 45 of 50 (written by hand, row 7)
SNV_ROW, STP_ROW = (80, 100), (45, 50)
RUNS = {"earlier": "scheduled__2026-09-30", "validating": "manual__2026-10-05", "later": "manual__2026-10-06"}


@pytest.fixture(scope="module")
def dbt_folder(tmp_path_factory):
    return tmp_path_factory.getbasetemp() / "trace-dbt"


@pytest.fixture(autouse=True)
def dbt_folders(dbt_folder, monkeypatch):
    """dbt's target and logs in this module's own folder, not in the project beside other runs."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(dbt_folder / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(dbt_folder / "logs"))


@pytest.fixture(scope="module")
def traced(postgres_server_url, tmp_path_factory, dbt_folder):
    """One warehouse with the landed files, the validations and the built trace mart."""
    archive = tmp_path_factory.mktemp("archive")
    inbox = tmp_path_factory.mktemp("inbox")
    name = f"dti_test_{uuid.uuid4().hex[:12]}"
    url = warehouse.ensure_database(postgres_server_url, name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(dbt_folder / "target"))
        patch.setenv("DBT_LOG_PATH", str(dbt_folder / "logs"))
        try:
            warehouse.ensure_schemas(url)
            files = land_sources(url, inbox, archive)
            record_validations(url, files["SNV"])
            built = invoke_dbt(url, ["build", "--select", "+rpt_score_trace", "--indirect-selection", "cautious"])
            assert built.success, dbt_failure(built)
            yield url, files
        finally:
            warehouse.drop_database(postgres_server_url, name)


def land_sources(url: str, inbox: Path, archive: Path) -> dict[str, dict]:
    workbook = inbox / "SNV_2026-Q3.xlsx"
    workbook.write_bytes(workbook_bytes([submission_row("SNV", "NT01", *SNV_ROW)]))
    with psycopg.connect(url) as conn:
        outcome = land_submission(conn, InboxFile.from_path(workbook), PERIOD, archive, 1_000_000,
                                  submission_rules(PERIOD, PROVINCE))
    assert outcome.status == "landed", outcome.reason
    with psycopg.connect(url, autocommit=True) as conn:
        stp = register_original(conn, archive, b"ma_don_vi,chi_so,tu_so,mau_so\nSTP,NT01,45,50\n", "STP_2026-Q3.csv",
                                source="self_assessment_submission", unit_code="STP", period=PERIOD)
        conn.execute(
            "insert into raw.self_assessment_rows (unit_code, unit_name, period, component_code, numerator, "
            "denominator, _batch_id, _source, _file_name, _file_sha256, _row_number) "
            "values ('STP', 'Sở Tư pháp', %s, 'NT01', %s, %s, %s, 'self_assessment_submission', %s, %s, 7)",
            (PERIOD, *STP_ROW, stp["batch_id"], stp["file_name"], stp["file_sha256"]),
        )
        page = register_original(conn, archive, json.dumps({"items": ["D-1", "D-2"]}).encode(), "dossiers?page=1",
                                 source="procedure_api", unit_code=None, period=None)
        filed = datetime(2026, 8, 3, 9, tzinfo=VIETNAM)
        for number, (channel, full_process) in enumerate((("online", True), ("offline", False)), start=1):
            conn.execute(
                "insert into raw.dossier_records (dossier_id, procedure_code, unit_code, filed_at, channel, "
                "full_process, status, citizen_pseudonym, updated_at, "
                "_batch_id, _source, _file_name, _file_sha256, _row_number) "
                "values (%s, '1.00001', 'X07822', %s, %s, %s, 'completed', %s, %s, %s, 'procedure_api', %s, %s, %s)",
                (f"D-{number}", filed, channel, full_process, "p" * 64, filed, page["batch_id"], page["file_name"],
                 page["file_sha256"], number),
            )
        register = register_original(conn, archive,
                                     "nhà cung cấp,số serial\nVNPT-CA,A1\nVNPT-CA,A2\nVNPT-CA,A3\n".encode(),
                                     "vnpt_2026-Q3.csv", source="certificate_provider", unit_code=None, period=PERIOD)
        # three active personal certificates of two holders, valid on the period's last day
        for number, holder in enumerate(("h1", "h1", "h2"), start=2):
            conn.execute(
                "insert into raw.signature_certificates (provider, certificate_serial, holder_pseudonym, holder_type, "
                "nso_ward_code, issued_on, expires_on, status, "
                "_batch_id, _source, _file_name, _file_sha256, _row_number) "
                "values ('VNPT-CA', %s, %s, 'personal', '07822', '2026-01-01', '2027-01-01', 'active', %s, "
                "'certificate_provider', %s, %s, %s)",
                (f"A{number}", holder, register["batch_id"], register["file_name"], register["file_sha256"], number),
            )
        people = register_original(conn, archive, "mã xã,năm,dân số\n07822,2026,10\n".encode(), "dan_so_2026.csv",
                                   source="population", unit_code=None, period=PERIOD)
        conn.execute(
            "insert into raw.adult_population (nso_ward_code, commune_name, year, adult_population, "
            "_batch_id, _source, _file_name, _file_sha256, _row_number) "
            "values ('07822', 'Xã Hoàng Vân', 2026, 10, %s, 'population', %s, %s, 2)",
            (people["batch_id"], people["file_name"], people["file_sha256"]),
        )
        snv = conn.execute("select file_sha256, file_name, archived_path from raw.landed_files where unit_code = 'SNV'"
                           ).fetchone()
    return {"SNV": dict(zip(("file_sha256", "file_name", "archived_path"), snv, strict=True)), "STP": stp, "page": page,
            "register": register, "population": people}


def register_original(conn: psycopg.Connection, archive: Path, content: bytes, file_name: str, *, source: str,
                      unit_code: str | None, period: str | None) -> dict:
    """Archive ``content`` under its sha256 and register it as received, as the landing does:
    encrypted for the sources that carry citizen ids."""
    sha = landing.sha256_of(content)
    suffix = Path(file_name).suffix if "." in file_name else ".json"
    personal = source in {"certificate_provider", "procedure_api"}
    archived = landing.archive_original(content, sha, suffix, archive,
                                        encryption_key=settings.archive_key() if personal else None)
    batch_id = f"test-{sha[:12]}"
    landing.register_landed_file(conn, file_sha256=sha, source=source, file_name=file_name, unit_code=unit_code,
                                 period=period, archived=archived, size_bytes=len(content), batch_id=batch_id,
                                 row_count=1, rejected_rows=0, submitted_at=datetime(2026, 10, 2, 8, tzinfo=VIETNAM))
    return {"file_sha256": sha, "file_name": file_name, "archived_path": str(archived), "batch_id": batch_id}


def record_validations(url: str, snv: dict) -> None:
    """An earlier run's validation (before the files came), the run that validated them (raw suite
    and a failing marts suite), and a later run: only the second may be shown."""
    with psycopg.connect(url) as conn:
        (received_at,) = conn.execute("select received_at from raw.landed_files where file_sha256 = %s",
                                      (snv["file_sha256"],)).fetchone()
        conn.execute(
            "insert into audit.validation_results (run_id, suite_name, asset_name, success, evaluated, unsuccessful, "
            "validated_at) values (%s, 'raw_submissions', 'raw_self_assessment_rows', true, 9, 0, %s), "
            "(%s, 'raw_submissions', 'raw_self_assessment_rows', true, 9, 0, %s)",
            (RUNS["earlier"], received_at - timedelta(days=1), RUNS["later"], received_at + timedelta(days=1)),
        )
    with psycopg.connect(url) as conn:
        record_validation(conn, RUNS["validating"], ValidationSummary(
            "raw_submissions", "raw_self_assessment_rows", success=True, evaluated=12, unsuccessful=0))
        record_validation(conn, RUNS["validating"], ValidationSummary(
            "marts_component_scores", "fct_component_scores", success=False, evaluated=5, unsuccessful=1,
            failures=[FailedExpectation("expect_column_values_to_be_between", "points", 1, [99], [],
                                        "Điểm vượt tối đa")]))


def printed(trace) -> str:
    buffer = StringIO()
    print_trace(trace, Console(file=buffer, width=100, color_system=None))
    return buffer.getvalue()


def test_a_unit_score_is_traced_to_its_row_and_archived_file(traced):
    url, files = traced
    snv = files["SNV"]
    trace = trace_score(url, PERIOD, "SNV", "NT01")
    # NT01, ratio: 80 / 100 against a target of 1.0, of 80 points
    assert trace.score["scoring_rule"] == "ratio" and float(trace.score["target_value"]) == 1.0
    assert trace.score["max_points"] == 80 and trace.score["points"] == pytest.approx(0.8 * 80)
    assert (float(trace.score["numerator"]), float(trace.score["denominator"])) == SNV_ROW
    [row] = trace.sources
    assert row["file_row_number"] == 2 and row["file_sha256"] == snv["file_sha256"]
    assert (float(row["reported_numerator"]), float(row["reported_denominator"])) == SNV_ROW
    archived = Path(snv["archived_path"])
    assert archived.read_bytes() and landing.sha256_of(archived.read_bytes()) == snv["file_sha256"]
    assert trace.files[snv["file_sha256"]].archive.matches
    text = printed(trace)
    assert "Unit SNV (Sở Nội vụ)" in text and "Tỷ lệ nhiệm vụ chuyển đổi số hoàn thành đúng hạn" in text
    assert "points  64 of 80 (scored)" in text
    assert "rule    ratio, target 1, max 80 points" in text
    assert "value   80 / 100 = 0.8" in text
    assert "source  row 2 of SNV_2026-Q3.xlsx: numerator 80, denominator 100 → 0.8" in text
    assert f"sha256    {snv['file_sha256']}" in text and f"archived  {snv['archived_path']}" in text
    assert "archived file sha256 matches" in text


def test_the_validations_shown_are_those_of_the_run_that_validated_the_file(traced):
    url, files = traced
    file = trace_score(url, PERIOD, "SNV", "NT01").files[files["SNV"]["file_sha256"]]
    assert {validation.run_id for validation in file.validations} == {RUNS["validating"]}
    assert [(v.suite_name, v.success) for v in file.validations] == [("raw_submissions", True),
                                                                      ("marts_component_scores", False)]
    text = printed(trace_score(url, PERIOD, "SNV", "NT01"))
    assert f"validated by run {RUNS['validating']}" in text
    assert "✓ passed raw_submissions on raw_self_assessment_rows: 12 of 12 expectations met" in text
    assert "✗ failed marts_component_scores on fct_component_scores: 4 of 5 expectations met" in text
    assert "Điểm vượt tối đa" in text
    assert RUNS["earlier"] not in text and RUNS["later"] not in text


def test_a_province_score_lists_the_units_that_fed_it(traced):
    url, files = traced
    trace = trace_score(url, PERIOD, "PROVINCE", "1.2")
    # 1.2 from every unit's NT01, ratio of sums: (80 + 45) / (100 + 50) of a 1.0 target × 40 points
    assert trace.is_province and trace.score["points"] == pytest.approx(125 / 150 * 40)
    counted = {row["source_unit_code"]: row for row in trace.sources if row["counts_in_value"]}
    assert set(counted) == {"SNV", "STP"}
    assert counted["STP"]["file_row_number"] == 7 and counted["STP"]["file_sha256"] == files["STP"]["file_sha256"]
    assert len(trace.sources) > 2  # the units that answer for NT01 and sent nothing are listed too
    text = printed(trace)
    assert f"fed by  2 of {len(trace.sources)} units answering for NT01" in text
    assert "STP (Sở Tư pháp) row 7 of STP_2026-Q3.csv: numerator 45, denominator 50" in text
    assert "SNV (Sở Nội vụ) row 2 of SNV_2026-Q3.xlsx: numerator 80, denominator 100" in text
    silent = next(line for line in text.splitlines()
                  if line.startswith(f"  no row from {len(trace.sources) - 2} units: "))
    assert "SKHCN" in silent and "SNV" not in silent
    assert f"sha256    {files['STP']['file_sha256']}" in text and text.count("archived file sha256 matches") == 2


def test_a_procedure_system_score_is_traced_to_its_pages(traced):
    url, files = traced
    trace = trace_score(url, PERIOD, "PROVINCE", "6.2")
    # 1 of 2 dossiers filed online and full-process, of a 1.0 target × 55 points
    assert trace.score["points"] == pytest.approx(0.5 * 55)
    [page] = trace.sources
    assert page["source_kind"] == "dossier_page" and page["source_rows"] == 2
    assert (float(page["reported_numerator"]), float(page["reported_denominator"])) == (1, 2)
    assert trace.files[files["page"]["file_sha256"]].archive.matches


def test_a_signature_score_is_traced_to_the_registers_and_the_population_file(traced):
    url, files = traced
    trace = trace_score(url, PERIOD, "PROVINCE", "8.1")
    # 2 distinct holders of 10 adults = 0.2, of a 0.5 target × 60 points
    assert float(trace.score["component_value"]) == pytest.approx(0.2) and trace.score["points"] == pytest.approx(24)
    sources = {row["source_kind"]: row for row in trace.sources}
    assert sources["signature_register"]["file_sha256"] == files["register"]["file_sha256"]
    assert (sources["signature_register"]["source_rows"] == 3
            and float(sources["signature_register"]["reported_numerator"]) == 2)
    assert sources["population_file"]["file_sha256"] == files["population"]["file_sha256"]
    assert float(sources["population_file"]["reported_denominator"]) == 10
    assert all(file.archive.matches for file in trace.files.values())


def test_a_changed_or_lost_archive_is_reported(traced):
    url, files = traced
    archived = Path(files["STP"]["archived_path"])
    original = archived.read_bytes()
    os.chmod(archived, 0o644)
    try:
        archived.write_bytes(original.replace(b"45", b"50"))
        text = printed(trace_score(url, PERIOD, "PROVINCE", "1.2"))
        assert ("WARNING: sha256 mismatch — the archived file hashes to "
                f"{landing.sha256_of(archived.read_bytes())}") in text
        archived.unlink()
        file = trace_score(url, PERIOD, "PROVINCE", "1.2").files[files["STP"]["file_sha256"]]
        assert file.archive.status == "missing"
        assert "WARNING: archived file missing" in printed(trace_score(url, PERIOD, "PROVINCE", "1.2"))
    finally:
        archived.write_bytes(original)
        os.chmod(archived, 0o444)


def test_an_encrypted_original_is_checked_decrypted_and_a_changed_byte_or_a_wrong_key_is_reported(traced,
                                                                                                    monkeypatch):
    url, files = traced
    archived = Path(files["register"]["archived_path"])
    assert archived.name.endswith(".csv.enc") and b"VNPT-CA" not in archived.read_bytes()
    assert trace_score(url, PERIOD, "PROVINCE", "8.1").files[files["register"]["file_sha256"]].archive.matches
    stored = archived.read_bytes()
    try:
        archived.write_bytes(stored[:-1] + bytes([stored[-1] ^ 0x01]))
        file = trace_score(url, PERIOD, "PROVINCE", "8.1").files[files["register"]["file_sha256"]]
        assert file.archive.status == "unreadable" and "fails its authentication check" in file.archive.problem
        assert ("WARNING: the archived original cannot be checked — the encrypted original "
                f"{files['register']['file_sha256']} fails its authentication check") in printed(
            trace_score(url, PERIOD, "PROVINCE", "8.1"))
    finally:
        archived.write_bytes(stored)
    monkeypatch.setenv("DTI_ARCHIVE_KEY", "ab" * 32)
    text = printed(trace_score(url, PERIOD, "PROVINCE", "8.1"))
    assert "WARNING: the archived original cannot be checked" in text and "was encrypted with archive key" in text


def test_an_unknown_unit_component_or_period_is_a_clear_error(traced):
    url, _ = traced
    with pytest.raises(TraceError, match="unknown unit 'NOPE'"):
        trace_score(url, PERIOD, "NOPE", "NT01")
    with pytest.raises(TraceError, match=r"unknown component '9\.9' for unit SNV in 2026-Q3; its components: .*NT01"):
        trace_score(url, PERIOD, "SNV", "9.9")
    with pytest.raises(TraceError, match="no scores for period 2025-Q1; periods scored: 2026-Q3"):
        trace_score(url, "2025-Q1", "SNV", "NT01")


def test_the_cli_prints_the_chain_and_the_checked_sha256(traced, postgres_server_url, tmp_path, monkeypatch):
    url, files = traced
    buffer = StringIO()
    # The default province's warehouse is this test's database, on the test server.
    monkeypatch.setenv("DTI_DATABASE_URL", postgres_server_url)
    monkeypatch.setattr(settings, "PROVINCES_FILE",
                        provinces_file_with_database(tmp_path, settings.PostgresParams.from_url(url).dbname))
    monkeypatch.setattr(cli, "console", Console(file=buffer, width=100, color_system=None))
    runner = CliRunner()
    result = runner.invoke(cli.app, ["trace", "--period", PERIOD, "--province", "--component", "1.2"])
    assert result.exit_code == 0, (result.output, buffer.getvalue())
    text = buffer.getvalue()
    assert f"sha256    {files['SNV']['file_sha256']}" in text and "archived file sha256 matches" in text
    assert "points  33.333333 of 40 (scored)" in text

    buffer.truncate(0)
    result = runner.invoke(cli.app, ["trace", "--period", PERIOD, "--unit", "SNV", "--component", "XX"])
    assert result.exit_code == 1 and "unknown component 'XX'" in buffer.getvalue()
    result = runner.invoke(cli.app, ["trace", "--period", PERIOD, "--component", "NT01"])
    assert result.exit_code != 0 and "either --unit CODE or --province" in result.output
