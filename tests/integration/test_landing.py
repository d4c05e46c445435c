"""Landing on a real PostgreSQL: originals archived, rows copied once, bad input set aside with a reason."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dti import warehouse
from dti.landing.submissions import land_submission
from dti.sources.inbox import InboxFile
from dti.quality import gates
from dti.sources.submission_template import submission_rules
from tests.helpers import PROVINCE, quarantined_files, submission_row, workbook_bytes

pytestmark = pytest.mark.integration
PERIOD = "2026-Q3"
LIMIT = 1_000_000
RULES = submission_rules(PERIOD, PROVINCE)


@pytest.fixture()
def inbox(tmp_path):
    folder = tmp_path / "inbox" / PERIOD
    folder.mkdir(parents=True)
    return folder


@pytest.fixture()
def conn(database_url):
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url) as connection:
        yield connection


def _count(conn, query, *params):
    return conn.execute(query, params).fetchone()[0]


def _land(conn, path, tmp_path):
    return land_submission(conn, InboxFile.from_path(path), PERIOD, tmp_path / "archive", LIMIT, RULES)


def test_good_and_corrupt_files_land_side_by_side_and_nothing_is_lost(conn, inbox, tmp_path):
    good = inbox / "SKHCN.xlsx"
    good.write_bytes(workbook_bytes([submission_row(component_code="CQ01"), submission_row(component_code="NL01")]))
    corrupt = inbox / "X07246.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 truncated download")

    outcomes = [_land(conn, good, tmp_path), _land(conn, corrupt, tmp_path)]

    assert [o.status for o in outcomes] == ["landed", "quarantined"]
    assert _count(conn, "select count(*) from raw.self_assessment_rows where unit_code = 'SKHCN'") == 2
    reason, archived = conn.execute(
        "select reason, archived_path from quarantine.rejected_files where file_name = 'X07246.xlsx'").fetchone()
    assert "X07246.xlsx" in reason and "not a valid .xlsx" in reason
    # The original bytes of both files are kept, addressed by their hash.
    assert Path(archived).read_bytes() == corrupt.read_bytes()
    assert _count(conn, "select count(*) from raw.self_assessment_rows where _file_sha256 = %s",
                  outcomes[0].file_sha256) == 2


def test_the_same_bytes_twice_land_once(conn, inbox, tmp_path):
    path = inbox / "SNV.xlsx"
    path.write_bytes(workbook_bytes([submission_row(unit_code="SNV")]))
    first = _land(conn, path, tmp_path)
    second = _land(conn, path, tmp_path)
    assert (first.status, second.status) == ("landed", "already_received")
    assert _count(conn, "select count(*) from raw.self_assessment_rows") == 1
    assert _count(conn, "select count(*) from raw.landed_files") == 1


def test_a_resubmission_is_a_new_batch_and_the_first_is_kept(conn, inbox, tmp_path):
    path = inbox / "SNV.xlsx"
    path.write_bytes(workbook_bytes([submission_row(unit_code="SNV", numerator=40)]))
    first = _land(conn, path, tmp_path)
    path.write_bytes(workbook_bytes([submission_row(unit_code="SNV", numerator=70)]))
    second = _land(conn, path, tmp_path)
    assert first.file_sha256 != second.file_sha256
    assert conn.execute(
        "select array_agg(numerator::int order by _loaded_at) from raw.self_assessment_rows where unit_code = 'SNV'"
    ).fetchone()[0] == [40, 70]
    assert conn.execute("select array_agg(status order by received_at) from raw.landed_files").fetchone()[0] == [
        "superseded", "landed"]


def test_the_value_of_a_component_not_scored_as_a_ratio_lands_beside_the_counts_of_a_ratio(conn, inbox, tmp_path):
    path = inbox / "SKHCN.xlsx"
    path.write_bytes(workbook_bytes([
        submission_row(component_code="CQ01", numerator=60, denominator=100),
        submission_row(component_code="NT02", numerator=None, denominator=None, value="Có"),
        submission_row(component_code="NT03", numerator=None, denominator=None, value="Một phần"),
        submission_row(component_code="FP01", numerator=None, denominator=None, value=4),
        submission_row(component_code="AT02", numerator=None, denominator=None, value="Có lẽ"),
    ]))
    outcome = _land(conn, path, tmp_path)
    assert (outcome.rows_landed, outcome.rows_rejected) == (4, 1)
    landed = conn.execute("select component_code, numerator::float8, denominator::float8, reported_value::float8 "
                          "from raw.self_assessment_rows order by _row_number").fetchall()
    assert landed == [("CQ01", 60.0, 100.0, None), ("NT02", None, None, 1.0), ("NT03", None, None, 0.5),
                      ("FP01", None, None, 4.0)]
    (rejected,) = quarantined_files(conn, PERIOD)
    assert (rejected["row_number"], rejected["column_name"]) == (6, "reported_value")
    assert 'cột "Giá trị"' in rejected["reason"] and 'column "Giá trị"' in rejected["reason"]


def test_a_warehouse_made_before_the_value_column_gains_it(database_url):
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url) as connection:
        connection.execute("alter table raw.self_assessment_rows drop column reported_value")
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url) as connection:
        assert connection.execute(
            "select data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'self_assessment_rows' and column_name = 'reported_value'"
        ).fetchone() == ("numeric",)


def test_a_bad_row_is_quarantined_with_file_row_and_column_while_its_siblings_land(conn, inbox, tmp_path):
    path = inbox / "STP.xlsx"
    path.write_bytes(workbook_bytes([submission_row(unit_code="STP"),
                                     submission_row(unit_code="STP", component_code="NL01", denominator="abc")]))
    outcome = _land(conn, path, tmp_path)
    assert (outcome.rows_landed, outcome.rows_rejected) == (1, 1)
    (rejected,) = quarantined_files(conn, PERIOD)
    assert {k: rejected[k] for k in ("file_name", "unit_code", "row_number", "column_name")} == {
        "file_name": "STP.xlsx", "unit_code": "STP", "row_number": 3, "column_name": "denominator"}
    assert 'found "abc"' in rejected["reason"] and 'đang ghi "abc"' in rejected["reason"]


def test_the_raw_gate_quarantines_the_failing_unit_and_keeps_the_others(database_url, conn, inbox, tmp_path):
    # The reader refuses such rows already; the gate is the second line should a row get past it.
    for unit_code in ("SNV", "STC", "STP"):
        path = inbox / f"{unit_code}.xlsx"
        path.write_bytes(workbook_bytes([submission_row(unit_code=unit_code),
                                         submission_row(unit_code=unit_code, component_code="NL01")]))
        _land(conn, path, tmp_path)
    conn.execute("update raw.self_assessment_rows set numerator = 120 "
                 "where unit_code = 'STC' and component_code = 'NL01'")
    conn.execute("update raw.self_assessment_rows set unit_code = 'XYZ' where unit_code = 'STP'")
    conn.commit()

    counts = gates.validate_raw_submissions(database_url, PERIOD, "test-run", PROVINCE)

    assert counts["success"] is False and counts["submissions_quarantined"] == 2
    statuses = dict(conn.execute("select file_name, status from raw.landed_files").fetchall())
    assert statuses == {"SNV.xlsx": "landed", "STC.xlsx": "quarantined", "STP.xlsx": "quarantined"}
    reasons = dict(conn.execute("select file_name, reason from quarantine.rejected_files").fetchall())
    assert "Numerator exceeds denominator" in reasons["STC.xlsx"] and "rows 3" in reasons["STC.xlsx"]
    assert "not a known reporting unit" in reasons["STP.xlsx"]
    # Rows of quarantined files stay in raw for the record.
    assert _count(conn, "select count(*) from raw.self_assessment_rows") == 6
    assert _count(conn, "select count(*) from audit.validation_results where run_id = 'test-run' and not success") == 1


def test_a_load_killed_mid_file_leaves_nothing_behind_and_a_rerun_lands_it_once(conn, inbox, tmp_path, monkeypatch):
    from dti.landing import submissions as landing_submissions

    path = inbox / "SYT.xlsx"
    path.write_bytes(workbook_bytes([submission_row(unit_code="SYT", component_code=code)
                                     for code in ("NT01", "NL01", "CQ01")]))

    real_copy_rows = landing_submissions.copy_rows

    def copy_then_die(conn, table, columns, rows):
        real_copy_rows(conn, table, columns, rows)
        raise KeyboardInterrupt("worker killed after the COPY, before the commit")

    monkeypatch.setattr(landing_submissions, "copy_rows", copy_then_die)
    with pytest.raises(KeyboardInterrupt):
        _land(conn, path, tmp_path)
    assert _count(conn, "select count(*) from raw.self_assessment_rows") == 0
    assert _count(conn, "select count(*) from raw.landed_files") == 0

    monkeypatch.setattr(landing_submissions, "copy_rows", real_copy_rows)
    assert _land(conn, path, tmp_path).status == "landed"
    assert _land(conn, path, tmp_path).status == "already_received"
    assert _count(conn, "select count(*) from raw.self_assessment_rows where unit_code = 'SYT'") == 3
