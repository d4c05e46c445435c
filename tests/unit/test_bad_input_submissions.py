"""The bad-input corpus, file by file: each case is refused whole, set aside row by row, or used, as its
manifest says, with a reason naming the file, the unit, the row and the column in both languages."""

from __future__ import annotations

import csv
import unicodedata
from decimal import Decimal

import openpyxl
import pytest

from dti import settings
from dti.catalog.seeds import load_units
from dti.scoring_rules import RATIO
from dti.sources import submissions
from dti.sources.submission_rules import NOT_APPLICABLE_AT_ZERO
from dti.sources.submission_template import submission_rules
from tests.fixtures.bad_input.make_submission_fixtures import CASES, FOLDER, MAX_BYTES, PERIOD, TYPED_ANSWERS, Case
from tests.helpers import PROVINCE

RULES = submission_rules(PERIOD, PROVINCE)
UNIT_NAMES = {unit["unit_code"]: unit["name_vi"] for unit in load_units(PROVINCE)}


def read(case: Case) -> submissions.Submission:
    return submissions.read_submission((FOLDER / case.file).read_bytes(), case.name, MAX_BYTES, RULES)


def halves(reason: str, file_name: str) -> tuple[str, str]:
    """The Vietnamese and the English half of a reason; the English half starts with the file name again."""
    vietnamese, english = reason.split(f" / {file_name} · ", 1)
    assert vietnamese.startswith(f"{file_name} · ")
    return vietnamese, f"{file_name} · {english}"


def assert_fragments(expected, reason: str, file_name: str) -> None:
    vietnamese, english = halves(reason, file_name)
    assert expected.vi in vietnamese
    assert expected.en in english


def test_the_corpus_covers_at_least_25_malformed_cases_and_every_file_has_its_case():
    assert sum(case.level != "none" for case in CASES) >= 25
    assert sorted(path.name for path in FOLDER.iterdir()) == sorted(case.file for case in CASES)
    assert len({case.unit for case in CASES if case.level != "file"}) == sum(case.level != "file" for case in CASES)


@pytest.mark.parametrize("case", [c for c in CASES if c.level == "file"], ids=lambda case: case.file)
def test_a_file_no_row_of_which_can_be_trusted_is_refused_with_its_reason(case):
    with pytest.raises(submissions.UnreadableSubmission) as refused:
        read(case)
    reason = str(refused.value)
    file_name = submissions.safe_file_name(case.name)
    assert refused.value.file_name == file_name
    for expected in case.expected:
        assert_fragments(expected, reason, file_name)
        if expected.row is not None:
            vietnamese, english = halves(reason, file_name)
            assert f"dòng {expected.row}" in vietnamese and f"row {expected.row}" in english


@pytest.mark.parametrize("case", [c for c in CASES if c.level == "row"], ids=lambda case: case.file)
def test_a_bad_row_is_set_aside_naming_file_unit_row_and_column_and_its_siblings_are_used(case):
    submission = read(case)
    file_name = submissions.safe_file_name(case.name)
    assert submission.unit_code == case.unit
    assert len(submission.rows) == case.rows_used
    assert sorted((r.row_number, r.column_name) for r in submission.rejected) == sorted(
        (e.row, e.column) for e in case.expected)
    rejected = {(r.row_number, r.column_name): r for r in submission.rejected}
    for expected in case.expected:
        reason = rejected[expected.row, expected.column].reason
        header = submissions.header_of(expected.column)
        vietnamese, english = halves(reason, file_name)
        assert vietnamese.startswith(f'{file_name} · đơn vị {case.unit} · dòng {expected.row} · cột "{header}": ')
        assert english.startswith(f'{file_name} · unit {case.unit} · row {expected.row} · column "{header}": ')
        assert_fragments(expected, reason, file_name)
    assert not {r["_row_number"] for r in submission.rows} & {e.row for e in case.expected}


@pytest.mark.parametrize("case", [c for c in CASES if c.level == "none"], ids=lambda case: case.file)
def test_every_row_of_a_file_in_a_supported_encoding_or_layout_is_used(case):
    submission = read(case)
    assert submission.rejected == []
    assert (submission.unit_code, submission.period, len(submission.rows)) == (case.unit, PERIOD, case.rows_used)
    # Names come through with their diacritics, whatever encoding carried them.
    assert {row["unit_name"] for row in submission.rows} == {UNIT_NAMES[case.unit]}
    # Each row carries its figure where its scoring rule puts it: two counts, or the value.
    rules = RULES.components_of(case.unit)
    for row in submission.rows:
        if rules[row["component_code"]] == RATIO:
            assert 0 <= row["numerator"] <= row["denominator"] and row["reported_value"] is None
        else:
            assert row["reported_value"] >= 0 and row["numerator"] is None and row["denominator"] is None


def test_answers_typed_without_diacritics_or_in_capitals_are_read_as_the_template_writes_them():
    case = next(c for c in CASES if c.file == "STP_answers_without_diacritics.csv")
    values = {row["component_code"]: row["reported_value"] for row in read(case).rows}
    assert set(TYPED_ANSWERS) == {"NT02", "NT03", "TC02"}
    assert (values["NT02"], values["NT03"], values["TC02"]) == (Decimal(1), Decimal("0.5"), Decimal(0))


@pytest.mark.parametrize("case", [c for c in CASES if c.submitted_as], ids=lambda case: case.file)
def test_a_hostile_file_name_reaches_no_reason_as_it_was_sent(case):
    try:
        reasons = [r.reason for r in read(case).rejected]
    except submissions.UnreadableSubmission as refused:
        reasons = [str(refused)]
    safe = submissions.safe_file_name(case.name)
    assert safe != case.name
    for reason in reasons:
        assert safe in reason
        assert "../" not in reason
        assert not any(unicodedata.category(char) == "Cc" for char in reason)


@pytest.mark.parametrize("kind", ["zip_bomb", "oversized"])
def test_a_zip_bomb_or_an_oversized_file_is_refused_before_it_is_unpacked(kind, monkeypatch):
    case = next(c for c in CASES if kind in c.file)
    assert (FOLDER / case.file).stat().st_size < 64 * 1024  # small on disk, whatever it declares

    def must_not_open(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_open)
    with pytest.raises(submissions.UnreadableSubmission):
        read(case)


@pytest.mark.parametrize("case", [c for c in CASES if c.level != "file"], ids=lambda case: case.file)
def test_a_row_read_past_is_noted_where_it_is_and_is_no_row_set_aside(case):
    submission = read(case)
    file_name = submissions.safe_file_name(case.name)
    assert len(submission.notes) == len(case.notes)
    for note, expected in zip(submission.notes, case.notes, strict=True):
        vietnamese, english = halves(note, file_name)
        assert vietnamese.startswith(f"{file_name} · đơn vị {case.unit} · dòng {expected.row}: ")
        assert english.startswith(f"{file_name} · unit {case.unit} · row {expected.row}: ")
        assert_fragments(expected, note, file_name)
    assert not {e.row for e in case.notes} & {r.row_number for r in submission.rejected}


def test_zero_over_zero_is_accepted_as_written_for_a_component_the_catalog_marks_not_applicable_then(
        tmp_path, monkeypatch):
    case = next(c for c in CASES if c.file == "X07663_zero_denominator.xlsx")
    code = "NT01"
    with settings.UNIT_COMPONENTS_SEED.open(encoding="utf-8", newline="") as handle:
        components = list(csv.DictReader(handle))
    assert {row["zero_denominator"] for row in components} == {""}  # no shipped component says so
    for row in components:
        if row["component_code"] == code:
            row["zero_denominator"] = NOT_APPLICABLE_AT_ZERO
    test_catalog = tmp_path / "unit_components.csv"
    with test_catalog.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(components[0]))
        writer.writeheader()
        writer.writerows(components)
    monkeypatch.setattr(settings, "UNIT_COMPONENTS_SEED", test_catalog)

    submission = submissions.read_submission((FOLDER / case.file).read_bytes(), case.name, MAX_BYTES,
                                             submission_rules(PERIOD, PROVINCE))
    assert submission.rejected == []
    row, = (row for row in submission.rows if row["component_code"] == code)
    assert (row["numerator"], row["denominator"], row["reported_value"]) == (0, 0, None)
    assert len(submission.rows) == case.rows_used + 1
