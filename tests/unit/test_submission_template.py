"""The template is generated from the catalog, and what a unit fills in is what the reader reads."""

import csv
import shutil
import unicodedata
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from typer.testing import CliRunner

from dti import settings
from dti.cli import app
from dti.demo.submissions import DemoPlan, generate_submissions
from dti.sources import submissions
from dti.catalog.seeds import load_components, load_options, load_units
from dti.sources.submission_template import (
    ANSWERS_HEADING,
    INSTRUCTIONS_SHEET,
    build_template,
    components_for,
    submission_deadline,
    submission_rules,
    template_rows,
)
from tests.helpers import PERIOD, PROVINCE, filled_template, xlsx_bytes

FOCAL_POINT = PROVINCE.focal_point_unit_code

CATALOGS = {"department": "department", "commune": "commune", "ward": "commune"}


def catalog_codes(catalog: str) -> list[str]:
    return [c["component_code"] for c in load_components() if c["unit_catalog"] == catalog]


def catalog(name: str) -> dict[str, dict]:
    return {c["component_code"]: c for c in load_components() if c["unit_catalog"] == name}


def unit(code: str) -> dict:
    return next(u for u in load_units(PROVINCE) if u["unit_code"] == code)


def listed_cells(workbook: openpyxl.Workbook, reference: str) -> list:
    """The values of the cells a drop-down's list names, e.g. 'Hướng dẫn'!$B$42:$B$44."""
    sheet_part, cells = reference.split("!")
    assert sheet_part == f"'{INSTRUCTIONS_SHEET}'"
    return [cell.value for (cell,) in workbook[INSTRUCTIONS_SHEET][cells.replace("$", "")]]


@pytest.mark.parametrize("unit_type", ["department", "commune", "ward"])
def test_the_form_has_the_readers_header_and_one_printed_row_per_component_of_the_unit_type(unit_type):
    workbook = build_template(unit_type, PERIOD, PROVINCE)
    assert workbook.sheetnames == [submissions.SHEET_NAME, INSTRUCTIONS_SHEET]
    form = workbook[submissions.SHEET_NAME]
    assert [cell.value for cell in form[1]] == submissions.HEADERS
    rows = template_rows(workbook)
    assert [row["component_code"].value for row in rows] == catalog_codes(CATALOGS[unit_type])
    assert {row["period"].value for row in rows} == {PERIOD}
    names = {code: c["name_vi"] for code, c in catalog(CATALOGS[unit_type]).items()}
    assert all(row["component_name"].value == names[row["component_code"].value] for row in rows)
    # Without a unit, its code and name are left for the unit to write.
    assert {(row["unit_code"].value, row["unit_name"].value) for row in rows} == {(None, None)}


def test_a_template_for_one_unit_prints_its_code_and_name():
    rows = template_rows(build_template("department", PERIOD, PROVINCE, unit="SNV"))
    assert {(row["unit_code"].value, row["unit_name"].value) for row in rows} == {("SNV", "Sở Nội vụ")}


def test_the_focal_point_units_template_adds_the_focal_point_catalog_to_its_departments():
    codes = [row["component_code"].value
             for row in template_rows(build_template("department", PERIOD, PROVINCE, unit="SKHCN"))]
    assert codes == catalog_codes("department") + catalog_codes("focal_point")
    assert [c["component_code"] for c in components_for(unit("SKHCN"), load_components(), FOCAL_POINT)] == codes
    # Every other department, and the template for all of them, has the department catalog only.
    departments = catalog_codes("department")
    assert [c["component_code"] for c in components_for(unit("SNV"), load_components(), FOCAL_POINT)] == departments
    assert not set(catalog_codes("focal_point")) & {
        row["component_code"].value for row in template_rows(build_template("department", PERIOD, PROVINCE))}


@pytest.mark.parametrize("unit_code", ["X07246", "P07210"])
def test_communes_and_wards_report_the_commune_catalog(unit_code):
    communes = catalog_codes("commune")
    assert [c["component_code"] for c in components_for(unit(unit_code), load_components(), FOCAL_POINT)] == communes


def test_only_the_cells_a_unit_writes_are_unlocked_and_the_sheet_is_protected():
    rules = {code: c["scoring_rule"] for code, c in catalog("commune").items()}
    for unit_code, identity in ((None, {"unit_code", "unit_name"}), ("X07246", set())):
        workbook = build_template("commune", PERIOD, PROVINCE, unit=unit_code)
        assert workbook[submissions.SHEET_NAME].protection.sheet
        assert all(cell.protection.locked for cell in workbook[submissions.SHEET_NAME][1])
        for row in template_rows(workbook):
            # A ratio's two counts, or the value of any other rule; the figure cells not used are greyed.
            ratio = rules[row["component_code"].value] == "ratio"
            figures = {"numerator", "denominator"} if ratio else {"reported_value"}
            assert {column for column, cell in row.items() if not cell.protection.locked} == {
                *identity, *figures, "evidence_document"}
            unused = {"numerator", "denominator", "reported_value"} - figures
            assert all(row[column].fill.start_color.rgb.endswith("D9D9D9") for column in unused)


def test_the_value_cell_offers_the_answers_or_accepts_whole_numbers_from_zero():
    workbook = build_template("department", PERIOD, PROVINCE, unit="SKHCN")
    form = workbook[submissions.SHEET_NAME]
    validations = {str(validation.sqref): validation for validation in form.data_validations.dataValidation}
    components = {**catalog("department"), **catalog("focal_point")}
    seen = set()
    for row in template_rows(workbook):
        component = components[row["component_code"].value]
        rule = component["scoring_rule"]
        value = row["reported_value"].coordinate
        seen.add(rule)
        if rule == "ratio":
            assert value not in validations
            continue
        validation = validations[value]
        if rule == "boolean":
            assert (validation.type, validation.formula1) == ("list", '"Có,Không"')
        elif rule == "yes_partial_no":
            assert (validation.type, validation.formula1) == ("list", '"Có,Một phần,Không"')
        elif rule == "categorical":
            # The catalog's answers, in their order, from the guide's table of answers.
            assert validation.type == "list"
            assert listed_cells(workbook, validation.formula1) == [
                option.vi for option in load_options(component["unit_catalog"], component["component_code"])]
            assert row["reported_value"].number_format == "@"
        else:
            assert (validation.type, validation.operator, validation.formula1) == ("whole", "greaterThanOrEqual", "0")
            assert component["numerator_definition"][:100] in validation.prompt
            assert row["reported_value"].number_format == "#,##0"
        assert validation.showErrorMessage and validation.allow_blank
        assert all(len(title) <= 32 for title in (validation.promptTitle, validation.errorTitle))
    assert seen == {"ratio", "boolean", "yes_partial_no", "count_capped", "tiered", "categorical"}


def test_counts_are_validated_as_whole_numbers_from_zero_with_the_numerator_at_most_the_denominator():
    workbook = build_template("department", PERIOD, PROVINCE, unit="SNV")
    form = workbook[submissions.SHEET_NAME]
    rules = {str(validation.sqref): validation for validation in form.data_validations.dataValidation}
    components = catalog("department")
    for row in template_rows(workbook):
        component = components[row["component_code"].value]
        if component["scoring_rule"] != "ratio":
            assert row["numerator"].coordinate not in rules and row["denominator"].coordinate not in rules
            continue
        numerator, denominator = rules[row["numerator"].coordinate], rules[row["denominator"].coordinate]
        n, d = row["numerator"].coordinate, row["denominator"].coordinate
        assert numerator.formula1 == f"AND(ISNUMBER({n}),{n}>=0,{n}=INT({n}),OR(ISBLANK({d}),{n}<={d}))"
        assert denominator.formula1 == f"AND(ISNUMBER({d}),{d}>=0,{d}=INT({d}),OR(ISBLANK({n}),{d}>={n}))"
        assert numerator.prompt == component["numerator_definition"][:255]
        assert denominator.prompt == component["denominator_definition"][:255]
        assert numerator.showErrorMessage and "số nguyên" in numerator.error
        assert all(len(title) <= 32 for title in (numerator.promptTitle, numerator.errorTitle))


def test_without_a_unit_the_unit_code_is_chosen_from_the_units_listed_on_the_guide():
    workbook = build_template("ward", PERIOD, PROVINCE)
    form = workbook[submissions.SHEET_NAME]
    (choice,) = [v for v in form.data_validations.dataValidation if v.type == "list" and "!" in v.formula1]
    assert listed_cells(workbook, choice.formula1) == [
        u["unit_code"] for u in load_units(PROVINCE) if u["unit_type"] == "ward"]


def test_the_guide_explains_in_vietnamese_what_to_count_and_by_when():
    workbook = build_template("commune", PERIOD, PROVINCE, unit="X07246")
    text = "\n".join(str(cell.value) for row in workbook[INSTRUCTIONS_SHEET].iter_rows() for cell in row if cell.value)
    assert "Hạn nộp\n10/10/2026" in text
    assert "Không ghi tỷ lệ phần trăm (85%, 0,85)" in text
    assert 'ghi vào cột "Giá trị"' in text and 'chọn "Có" hoặc "Không"' in text
    assert "X07246.xlsx" in text
    communes = catalog("commune")
    for component in load_components():
        if component["numerator_definition"] and component["numerator_definition"] not in (
                c["numerator_definition"] for c in communes.values()):
            assert component["numerator_definition"] not in text


def test_the_guide_lists_each_components_scoring_rule_unit_of_measure_and_full_points():
    workbook = build_template("department", PERIOD, PROVINCE, unit="SNV")
    guide = workbook[INSTRUCTIONS_SHEET]
    rows = [[cell.value for cell in row] for row in guide.iter_rows()]
    header = next(row for row in rows if row[0] == "Mã chỉ số")
    listed = {row[0]: dict(zip(header, row, strict=False)) for row in rows[rows.index(header) + 1:] if row[0]}
    assert list(listed) == catalog_codes("department")
    assert listed["NT01"]["Cách tính điểm"] == "Tỷ lệ = Tử số / Mẫu số"
    assert listed["NT01"]["Ghi vào cột"] == "Tử số, Mẫu số" and listed["NT01"]["Mức đạt điểm tối đa"] == "100%"
    assert (listed["NT02"]["Cách tính điểm"], listed["NT02"]["Ghi vào cột"]) == ("Có / Không", "Giá trị")
    assert listed["NT03"]["Giá trị hợp lệ"] == '"Có" / "Một phần" / "Không"'
    assert (listed["NL02"]["Đơn vị tính"], listed["NL02"]["Mức đạt điểm tối đa"]) == ("người", "3 người")
    # A tiered component shows its bands from the tiers seed.
    assert listed["AT02"]["Mức đạt điểm tối đa"] == "từ 2: 50 điểm; từ 1: 25 điểm"
    assert all(listed[code]["Điểm tối đa"] == int(c["max_points"]) for code, c in catalog("department").items())


def test_the_guide_lists_the_answers_of_a_categorical_component_with_their_numbers_and_shares_of_the_points():
    workbook = build_template("department", PERIOD, PROVINCE, unit=FOCAL_POINT)
    rows = [[cell.value for cell in row] for row in workbook[INSTRUCTIONS_SHEET].iter_rows()]
    header = next(row for row in rows if row[0] == "Mã chỉ số")
    component = dict(zip(header, next(row for row in rows if row[0] == "FP05"), strict=False))
    assert component["Cách tính điểm"] == "Chọn một câu trả lời, mỗi câu một mức điểm"
    assert component["Mức đạt điểm tối đa"] == '"Bí thư Tỉnh ủy hoặc Chủ tịch Ủy ban nhân dân tỉnh"'
    assert component["Đơn vị tính"] == "lựa chọn"
    title = next(index for index, row in enumerate(rows) if row[0] == ANSWERS_HEADING)
    header = rows[title + 1]
    answers = [dict(zip(header, row, strict=False)) for row in rows[title + 2:] if row[0]]
    assert [(a["Mã chỉ số"], a["Số thứ tự"], a["Câu trả lời"], a["Tỷ lệ số điểm đạt"]) for a in answers] == [
        ("FP05", 1, "Bí thư Tỉnh ủy hoặc Chủ tịch Ủy ban nhân dân tỉnh", "100%"),
        ("FP05", 2, "Phó Chủ tịch Ủy ban nhân dân tỉnh", "50%"),
        ("FP05", 3, "Chưa thành lập Ban Chỉ đạo", "0%"),
    ]
    assert all(unicodedata.is_normalized("NFC", a["Câu trả lời"]) for a in answers)
    text = "\n".join(str(value) for row in rows for value in row if value)
    assert f'xem bảng "{ANSWERS_HEADING}"' in text
    # A template without a categorical component has no table of answers.
    assert ANSWERS_HEADING not in "\n".join(
        str(cell.value) for row in build_template("department", PERIOD, PROVINCE)[INSTRUCTIONS_SHEET].iter_rows()
        for cell in row if cell.value)


def test_a_filled_template_is_read_back_row_for_row():
    workbook = filled_template("X07246")
    submission = submissions.read_submission(xlsx_bytes(workbook), "X07246.xlsx", 1_000_000,
                                             submission_rules(PERIOD, PROVINCE))
    assert submission.rejected == []
    answers = {"Có": Decimal(1), "Một phần": Decimal("0.5"), "Không": Decimal(0)}

    def figure(cell):
        if cell.value is None:
            return None
        return answers[cell.value] if cell.value in answers else Decimal(cell.value)

    assert [(r["component_code"], r["numerator"], r["denominator"], r["reported_value"], r["_row_number"])
            for r in submission.rows] == [
        (row["component_code"].value, figure(row["numerator"]), figure(row["denominator"]),
         figure(row["reported_value"]), row["numerator"].row)
        for row in template_rows(workbook)
    ]
    assert {r["reported_value"] for r in submission.rows if r["component_code"] in ("NT02", "XH01")} == {
        Decimal(1), Decimal(3)}


def with_seed_rows(setting: str, rows: list[list], tmp_path, monkeypatch) -> None:
    """The catalog seed ``settings.<setting>`` with ``rows`` added, in place of the shipped one."""
    seed = tmp_path / getattr(settings, setting).name
    shutil.copy(getattr(settings, setting), seed)
    with seed.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    monkeypatch.setattr(settings, setting, seed)


# Answers of a categorical component added to a catalog; a comma in an answer must not split it.
ADDED_ANSWERS = [["commune", "KT04", 1, "Có, đủ cho mọi thôn", "Yes, for every village", "1"],
                 ["commune", "KT04", 2, "Chưa có", "Not yet", "0"]]


@pytest.mark.parametrize(
    ("code", "rule", "unit_type"),
    [("CQ05", "ratio", "department"), ("KT03", "tiered", "commune"), ("NT04", "boolean", "commune"),
     ("KT04", "categorical", "commune")],
)
def test_a_component_added_to_a_catalog_reaches_the_template_the_reader_and_the_demo(
        code, rule, unit_type, tmp_path, monkeypatch):
    with_seed_rows("UNIT_COMPONENTS_SEED",
                   [[unit_type, code, "digital_economy", "Chỉ số mới", "A new component", "20", rule,
                     "1.0" if rule == "ratio" else "", "%" if rule == "ratio" else "items", "What is counted",
                     "What it is counted out of" if rule == "ratio" else "", "Báo cáo", "true"]], tmp_path, monkeypatch)
    if rule == "categorical":
        with_seed_rows("COMPONENT_OPTIONS_SEED", ADDED_ANSWERS, tmp_path, monkeypatch)
    assert code in [row["component_code"].value for row in template_rows(build_template(unit_type, PERIOD, PROVINCE))]
    assert submission_rules(PERIOD, PROVINCE).catalogs[unit_type][code] == rule
    plan = DemoPlan(period=PERIOD, missing_share=0.9, corrupt_files=0, malformed_share=0, resubmitted_share=0)
    paths = generate_submissions(tmp_path / "inbox", plan, PROVINCE)
    units = {u["unit_code"]: u for u in load_units(PROVINCE)}
    read = [submissions.read_submission(path.read_bytes(), path.name, 1_000_000, submission_rules(PERIOD, PROVINCE))
            for path in paths if units[path.stem]["unit_type"] in ({"department"} if unit_type == "department"
                                                                     else {"commune", "ward"})]
    assert read and all(code in [row["component_code"] for row in submission.rows] for submission in read)


@pytest.mark.parametrize(
    ("rule", "message"),
    [("survey", "commune KT09 has the unknown scoring rule 'survey'"),
     ("categorical", "commune KT09 is categorical but dti_component_options.csv lists no answers for it")],
)
def test_a_catalog_component_the_reader_could_not_read_is_refused(rule, message, tmp_path, monkeypatch):
    with_seed_rows("UNIT_COMPONENTS_SEED", [["commune", "KT09", "digital_economy", "Chỉ số", "Index", "20", rule, "",
                                            "", "", "", "", "true"]], tmp_path, monkeypatch)
    with pytest.raises(ValueError, match=message):
        load_components()


@pytest.mark.parametrize(
    ("period", "deadline"),
    [("2026-Q3", date(2026, 10, 10)), ("2026-Q4", date(2027, 1, 10)), ("2026-02", date(2026, 3, 10)),
     ("2026", date(2027, 1, 10))],
)
def test_the_deadline_is_the_due_days_after_the_period_ends(period, deadline):
    assert submission_deadline(period, PROVINCE) == deadline


@pytest.mark.parametrize(
    ("unit_type", "unit", "message"),
    [("district", None, "unknown unit type 'district'"),
     ("ward", "SNV", "'SNV' is not a reporting unit of type 'ward'")],
)
def test_an_unknown_unit_type_or_a_unit_of_another_type_is_refused(unit_type, unit, message):
    with pytest.raises(ValueError, match=message):
        build_template(unit_type, PERIOD, PROVINCE, unit=unit)


def test_dti_template_writes_the_template_to_the_given_path(tmp_path):
    target = tmp_path / "mau" / "SNV.xlsx"
    result = CliRunner().invoke(app, ["template", "--unit-type", "department", "--period", PERIOD, "--unit", "SNV",
                                      "--output", str(target)])
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(target)
    assert [row["unit_code"].value for row in template_rows(workbook)] == ["SNV"] * len(catalog_codes("department"))
    assert [cell.value for cell in workbook[submissions.SHEET_NAME][1]] == submissions.HEADERS
    assert submissions.HEADERS.index("Giá trị") == submissions.HEADERS.index("Mẫu số") + 1
    refused = CliRunner().invoke(app, ["template", "--unit-type", "district", "--output", str(target)])
    assert refused.exit_code == 2 and "unknown unit type" in refused.output
