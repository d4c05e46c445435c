"""`dti check FILE`: what landing would decide for a unit's file, without a database, for every case of
the bad-input corpus as its manifest says (landing's own decisions: tests/integration/test_bad_input_landing.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dti import cli
from dti.sources import submissions
from tests.fixtures.bad_input.checked import check_case
from tests.fixtures.bad_input.make_submission_fixtures import CASES, FOLDER, PERIOD
from tests.helpers import PROVINCE


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.file)
def test_check_prints_the_decision_the_manifest_expects_and_exits_0_only_when_every_row_is_usable(
        case, tmp_path, monkeypatch):
    checked = check_case(case, tmp_path, monkeypatch)
    assert checked.exit_code == (0 if case.level == "none" else 1), checked.output
    assert (checked.refusal is not None) == (case.level == "file")
    assert checked.rows_usable == case.rows_used
    assert sorted((row, column) for row, column, _ in checked.rejected) == sorted(
        (e.row, e.column) for e in case.expected if case.level != "file")
    for expected in case.expected:
        reasons = [checked.refusal] if case.level == "file" else [
            reason for row, column, reason in checked.rejected if (row, column) == (expected.row, expected.column)]
        assert any(expected.vi in reason and expected.en in reason for reason in reasons), checked.output
    assert len(checked.notes) == len(case.notes)
    assert all(e.vi in note and e.en in note for note, e in zip(checked.notes, case.notes, strict=True))


def test_without_period_the_check_takes_the_one_the_file_writes(tmp_path, monkeypatch):
    case = next(c for c in CASES if c.file == "X07552_period_in_words.xlsx")
    checked = check_case(case, tmp_path, monkeypatch, "--province", PROVINCE.code)
    assert checked.exit_code == 0
    assert f"kỳ / period {PERIOD} (Quý III/2026, kỳ ghi trong tệp / the file's own)" in checked.output


def test_the_period_may_be_given_as_units_write_it_and_another_period_sets_every_row_aside(tmp_path, monkeypatch):
    case = next(c for c in CASES if c.file == "SYT_good_department.xlsx")
    assert check_case(case, tmp_path, monkeypatch, "--period", "Quý III/2026").exit_code == 0
    elsewhere = check_case(case, tmp_path, monkeypatch, "--period", "Quý II/2026")
    assert elsewhere.exit_code == 1 and elsewhere.refusal is not None
    assert 'phải là kỳ 2026-Q2 (kỳ của hộp thư nhận tệp), đang ghi "2026-Q3"' in elsewhere.refusal


def test_the_unit_given_names_a_file_that_does_not_name_its_own(tmp_path, monkeypatch):
    case = next(c for c in CASES if c.file == "SNNMT_empty.xlsx")
    checked = check_case(case, tmp_path, monkeypatch, "--period", PERIOD, "--unit", "skhcn")
    assert checked.refusal.startswith(f"{submissions.safe_file_name(case.name)} · đơn vị SKHCN: tệp rỗng")


@pytest.mark.parametrize(("options", "message"), [
    (("--period", "Quý năm"), "is no quarter"),
    (("--period", PERIOD, "--unit", "X99999"), "X99999 is no reporting unit"),
])
def test_a_period_or_unit_that_cannot_be_is_refused_before_the_file_is_read(options, message):
    result = CliRunner().invoke(cli.app, ["check", str(FOLDER / "SYT_good_department.xlsx"), *options])
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())
