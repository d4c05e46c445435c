"""The whole bad-input corpus, with the good files beside it, landed on a real PostgreSQL: every case's
reason is recorded where a person looks for it, every good file and every good row landed, and
`dti check` decides for each file what landing recorded."""

from __future__ import annotations

import unicodedata
from datetime import datetime, UTC
from pathlib import Path

import psycopg
import pytest

from dti import landing, warehouse
from dti.landing.submissions import land_submission
from dti.quality import gates
from dti.sources import submissions
from dti.sources.inbox import InboxFile
from dti.sources.submission_template import submission_rules
from tests.fixtures.bad_input.checked import check_case
from tests.fixtures.bad_input.make_submission_fixtures import CASES, FOLDER, MAX_BYTES, PERIOD, Case
from tests.helpers import PROVINCE, quarantined_files

pytestmark = pytest.mark.integration
RULES = submission_rules(PERIOD, PROVINCE)
SENT = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)


@pytest.fixture()
def conn(database_url):
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url) as connection:
        yield connection


def inbox_file(case: Case) -> InboxFile:
    """The fixture as the inbox lists it, under the name its sender gave it."""
    path = FOLDER / case.file
    return InboxFile(name=case.name, url=path.resolve().as_uri(), size=path.stat().st_size, submitted_at=SENT)


def land_corpus(conn: psycopg.Connection, archive: Path) -> dict[str, landing.LandingOutcome]:
    return {case.file: land_submission(conn, inbox_file(case), PERIOD, archive, MAX_BYTES, RULES) for case in CASES}


def assert_both_halves(expected, reason: str) -> None:
    vietnamese, english = reason.split(" / ", 1)
    assert expected.vi in vietnamese
    assert expected.en in english


def test_every_case_lands_or_is_quarantined_with_its_reason_and_no_good_row_is_lost(conn, tmp_path):
    archive = tmp_path / "archive"
    outcomes = land_corpus(conn, archive)
    conn.commit()

    assert len({o.file_sha256 for o in outcomes.values()}) == len(CASES)
    for case in CASES:
        outcome = outcomes[case.file]
        assert outcome.status == ("quarantined" if case.level == "file" else "landed"), case.file
        assert outcome.file_name == submissions.safe_file_name(case.name)

    # Files refused whole: the reason, naming the file, is in quarantine.rejected_files.
    refused = {sha: (file_name, reason) for sha, file_name, reason in conn.execute(
        "select file_sha256, file_name, reason from quarantine.rejected_files where period = %s", (PERIOD,))}
    assert set(refused) == {outcomes[c.file].file_sha256 for c in CASES if c.level == "file"}
    for case in (c for c in CASES if c.level == "file"):
        file_name, reason = refused[outcomes[case.file].file_sha256]
        assert reason.startswith(f"{file_name} · ")
        for expected in case.expected:
            assert_both_halves(expected, reason)

    # Rows set aside: each with its row, column and reason in quarantine.rejected_rows.
    for case in (c for c in CASES if c.level != "file"):
        rows = conn.execute("select row_number, column_name, reason from quarantine.rejected_rows "
                            "where file_sha256 = %s", (outcomes[case.file].file_sha256,)).fetchall()
        assert sorted((row, column) for row, column, _ in rows) == sorted((e.row, e.column) for e in case.expected)
        reasons = {(row, column): reason for row, column, reason in rows}
        for expected in case.expected:
            assert_both_halves(expected, reasons[expected.row, expected.column])

    # Nothing lost: every good row of every landed file is in raw, with its file's provenance.
    landed = dict(conn.execute("select _file_sha256, count(*) from raw.self_assessment_rows group by 1").fetchall())
    assert {case.file: landed.get(outcomes[case.file].file_sha256, 0) for case in CASES} == {
        case.file: case.rows_used for case in CASES}
    units = dict(conn.execute("select file_sha256, unit_code from raw.landed_files where status = 'landed'").fetchall())
    assert units == {outcomes[c.file].file_sha256: c.unit for c in CASES if c.level != "file"}

    # The report's list of what was set aside has every reason of both kinds.
    listed = quarantined_files(conn, PERIOD)
    assert len(listed) == sum(1 if c.level == "file" else len(c.expected) for c in CASES)


def test_originals_are_archived_byte_for_byte_inside_the_archive_under_safe_names(conn, tmp_path):
    archive = tmp_path / "archive"
    land_corpus(conn, archive)
    conn.commit()
    stored = conn.execute("select file_name, archived_path from raw.landed_files "
                          "union all select file_name, archived_path from quarantine.rejected_files").fetchall()
    assert len(stored) == len(CASES)
    originals = {(FOLDER / case.file).read_bytes() for case in CASES}
    for file_name, archived_path in stored:
        assert Path(archived_path).resolve().is_relative_to(archive.resolve())
        assert Path(archived_path).read_bytes() in originals
        assert "/" not in file_name and "\\" not in file_name
        assert not any(unicodedata.category(char).startswith("C") for char in file_name)
    assert {name for name, _ in stored} >= {"passwd.xlsx", "SKHCN[31m.xlsx"}


def test_landing_the_corpus_again_adds_nothing(conn, tmp_path):
    land_corpus(conn, tmp_path / "archive")
    conn.commit()
    again = land_corpus(conn, tmp_path / "archive")
    assert {outcome.status for outcome in again.values()} == {"already_received"}
    counts = conn.execute("select (select count(*) from raw.landed_files), "
                          "(select count(*) from quarantine.rejected_files), "
                          "(select count(*) from quarantine.rejected_rows)").fetchone()
    assert counts == (sum(c.level != "file" for c in CASES), sum(c.level == "file" for c in CASES),
                      sum(len(c.expected) for c in CASES if c.level != "file"))


def test_the_raw_gate_finds_nothing_the_reader_let_through(database_url, conn, tmp_path):
    land_corpus(conn, tmp_path / "archive")
    conn.commit()
    counts = gates.validate_raw_submissions(database_url, PERIOD, "bad-input-run", PROVINCE)
    assert counts["success"] is True and counts["submissions_quarantined"] == 0
    assert counts["rows"] == sum(case.rows_used for case in CASES)


def test_dti_check_decides_for_every_file_what_landing_recorded_for_it(conn, tmp_path, monkeypatch):
    outcomes = land_corpus(conn, tmp_path / "archive")
    conn.commit()
    refused = dict(conn.execute("select file_sha256, reason from quarantine.rejected_files").fetchall())
    set_aside: dict[str, set] = {}
    for sha, row, column, reason in conn.execute(
            "select file_sha256, row_number, column_name, reason from quarantine.rejected_rows").fetchall():
        set_aside.setdefault(sha, set()).add((row, column, reason))
    checked_folder = tmp_path / "checked"
    checked_folder.mkdir()
    for case in CASES:
        outcome, checked = outcomes[case.file], check_case(case, checked_folder, monkeypatch)
        if outcome.status == "quarantined":
            assert checked.refusal == refused[outcome.file_sha256] == outcome.reason, case.file
        else:
            assert checked.refusal is None, case.file
            assert checked.rows_usable == outcome.rows_landed, case.file
            assert checked.rejected == set_aside.get(outcome.file_sha256, set()), case.file
            assert checked.notes == outcome.notes, case.file
        usable = outcome.status == "landed" and outcome.rows_rejected == 0
        assert checked.exit_code == (0 if usable else 1), case.file
    # The note of a totals row reaches the landing outcome, as dti check prints it.
    assert any(outcome.notes for outcome in outcomes.values())
