"""The template is generated from the catalog, and what a unit fills in is what the reader reads."""

import csv
import shutil
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from typer.testing import CliRunner

from dti import settings
from dti.cli import app
from dti.demo.submissions import DemoPlan, generate_submissions
from dti.sources import submissions
from dti.sources.submission_template import (
    INSTRUCTIONS_SHEET,
    build_template,
    load_components,
    load_units,
    submission_deadline,
    submission_rules,
    template_rows,
)
from tests.helpers import PERIOD, filled_template, xlsx_bytes

SCOPES = {"department": "department", "commune": "commune", "ward": "commune"}


def catalog_codes(scope: str) -> list[str]:
    return [c["component_code"] for c in load_components() if c["reported_by"] in ("all", scope)]


@pytest.mark.parametrize("unit_type", ["department", "commune", "ward"])
def test_the_form_has_the_readers_header_and_one_printed_row_per_component_of_the_unit_type(unit_type):
    workbook = build_template(unit_type, PERIOD)
    assert workbook.sheetnames == [submissions.SHEET_NAME, INSTRUCTIONS_SHEET]
    form = workbook[submissions.SHEET_NAME]
    assert [cell.value for cell in form[1]] == submissions.HEADERS
    rows = template_rows(workbook)
    assert [row["component_code"].value for row in rows] == catalog_codes(SCOPES[unit_type])
    assert {row["period"].value for row in rows} == {PERIOD}
    names = {c["component_code"]: c["name_vi"] for c in load_components()}
    assert all(row["component_name"].value == names[row["component_code"].value] for row in rows)
    # Without a unit, its code and name are left for the unit to write.
    assert {(row["unit_code"].value, row["unit_name"].value) for row in rows} == {(None, None)}


def test_a_template_for_one_unit_prints_its_code_and_name():
    rows = template_rows(build_template("department", PERIOD, unit="SNV"))
    assert {(row["unit_code"].value, row["unit_name"].value) for row in rows} == {("SNV", "Sở Nội vụ")}


def test_only_the_cells_a_unit_writes_are_unlocked_and_the_sheet_is_protected():
    for unit, writes in ((None, {"unit_code", "unit_name", "numerator", "denominator", "evidence_document"}),
                         ("X07246", {"numerator", "denominator", "evidence_document"})):
        workbook = build_template("commune", PERIOD, unit=unit)
        assert workbook[submissions.SHEET_NAME].protection.sheet
        assert all(cell.protection.locked for cell in workbook[submissions.SHEET_NAME][1])
        for row in template_rows(workbook):
            assert {column for column, cell in row.items() if not cell.protection.locked} == writes


def test_counts_are_validated_as_whole_numbers_from_zero_with_the_numerator_at_most_the_denominator():
    workbook = build_template("department", PERIOD, unit="SNV")
    form = workbook[submissions.SHEET_NAME]
    rules = {str(validation.sqref): validation for validation in form.data_validations.dataValidation}
    components = {c["component_code"]: c for c in load_components()}
    for row in template_rows(workbook):
        component = components[row["component_code"].value]
        numerator, denominator = rules[row["numerator"].coordinate], rules[row["denominator"].coordinate]
        n, d = row["numerator"].coordinate, row["denominator"].coordinate
        assert numerator.formula1 == f"AND(ISNUMBER({n}),{n}>=0,{n}=INT({n}),OR(ISBLANK({d}),{n}<={d}))"
        assert denominator.formula1 == f"AND(ISNUMBER({d}),{d}>=0,{d}=INT({d}),OR(ISBLANK({n}),{d}>={n}))"
        assert numerator.prompt == component["numerator_definition"][:255]
        assert denominator.prompt == component["denominator_definition"][:255]
        assert numerator.showErrorMessage and "số nguyên" in numerator.error
        assert all(len(title) <= 32 for title in (numerator.promptTitle, numerator.errorTitle))


def test_without_a_unit_the_unit_code_is_chosen_from_the_units_listed_on_the_guide():
    workbook = build_template("ward", PERIOD)
    form = workbook[submissions.SHEET_NAME]
    (choice,) = [v for v in form.data_validations.dataValidation if v.type == "list"]
    sheet_part, cells = choice.formula1.split("!")
    assert sheet_part == f"'{INSTRUCTIONS_SHEET}'"
    listed = [cell.value for (cell,) in workbook[INSTRUCTIONS_SHEET][cells.replace("$", "")]]
    assert listed == [u["unit_code"] for u in load_units() if u["unit_type"] == "ward"]


def test_the_guide_explains_in_vietnamese_what_to_count_and_by_when():
    workbook = build_template("commune", PERIOD, unit="X07246")
    text = "\n".join(str(cell.value) for row in workbook[INSTRUCTIONS_SHEET].iter_rows() for cell in row if cell.value)
    assert "Hạn nộp\n10/10/2026" in text
    assert "Không ghi tỷ lệ phần trăm (85%, 0,85)" in text
    assert "X07246.xlsx" in text
    for component in load_components():
        in_scope = component["reported_by"] in ("all", "commune")
        assert (component["numerator_definition"] in text) == in_scope
        assert (component["denominator_definition"] in text) == in_scope


def test_a_filled_template_is_read_back_row_for_row():
    workbook = filled_template("X07246")
    submission = submissions.read_submission(xlsx_bytes(workbook), "X07246.xlsx", 1_000_000, submission_rules(PERIOD))
    assert submission.rejected == []
    assert [(r["component_code"], r["numerator"], r["denominator"], r["_row_number"]) for r in submission.rows] == [
        (row["component_code"].value, Decimal(row["numerator"].value), Decimal(row["denominator"].value),
         row["numerator"].row)
        for row in template_rows(workbook)
    ]


def test_a_component_added_to_the_catalog_reaches_the_template_the_reader_and_the_demo(tmp_path, monkeypatch):
    seed = tmp_path / "dti_components.csv"
    shutil.copy(settings.COMPONENTS_SEED, seed)
    with seed.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["922", "7.4", "7", "Tỷ lệ hồ sơ trực tuyến", "Share of online dossiers", "20",
                                     "ratio", "1.0", "Dossiers filed online", "Dossiers filed", "all", "true"])
    monkeypatch.setattr(settings, "COMPONENTS_SEED", seed)
    assert "7.4" in [row["component_code"].value for row in template_rows(build_template("department", PERIOD))]
    assert submission_rules(PERIOD).component_scopes["7.4"] == "all"
    plan = DemoPlan(period=PERIOD, missing_share=0.95, malformed_share=0, resubmitted_share=0)
    paths = generate_submissions(tmp_path / "inbox", plan)
    submission = submissions.read_submission(paths[0].read_bytes(), paths[0].name, 1_000_000, submission_rules(PERIOD))
    assert "7.4" in [row["component_code"] for row in submission.rows]


@pytest.mark.parametrize(
    ("period", "deadline"),
    [("2026-Q3", date(2026, 10, 10)), ("2026-Q4", date(2027, 1, 10)), ("2026-02", date(2026, 3, 10)),
     ("2026", date(2027, 1, 10))],
)
def test_the_deadline_is_the_due_days_after_the_period_ends(period, deadline):
    assert submission_deadline(period) == deadline


@pytest.mark.parametrize(
    ("unit_type", "unit", "message"),
    [("district", None, "unknown unit type 'district'"),
     ("ward", "SNV", "'SNV' is not a reporting unit of type 'ward'")],
)
def test_an_unknown_unit_type_or_a_unit_of_another_type_is_refused(unit_type, unit, message):
    with pytest.raises(ValueError, match=message):
        build_template(unit_type, PERIOD, unit=unit)


def test_dti_template_writes_the_template_to_the_given_path(tmp_path):
    target = tmp_path / "mau" / "SNV.xlsx"
    result = CliRunner().invoke(app, ["template", "--unit-type", "department", "--period", PERIOD, "--unit", "SNV",
                                      "--output", str(target)])
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(target)
    assert [row["unit_code"].value for row in template_rows(workbook)] == ["SNV"] * len(catalog_codes("department"))
    refused = CliRunner().invoke(app, ["template", "--unit-type", "district", "--output", str(target)])
    assert refused.exit_code == 2 and "unknown unit type" in refused.output
