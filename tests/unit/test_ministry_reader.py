"""The file of values the Ministry measures itself: read by each component's scoring rule, every bad
row set aside with the file, the row, the column and what to fix, an unusable file refused whole."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from dti import settings
from dti.sources.certificates import UnreadableAgencyFile
from dti.sources.ministry import HEADERS, MinistryRules, ministry_rules, read_ministry_file
from tests.helpers import xlsx_bytes

PERIOD = "2026-Q3"
LIMIT = 1_000_000
SOURCE = "Công văn 123/BKHCN-CĐS ngày 15/10/2026"


def _component(code: str, rule: str, value_source: str = "ministry") -> dict:
    return {"component_code": code, "scoring_rule": rule, "value_source": value_source, "indicator_key": code}


# A framework of the test's own, so that every rule is read whatever the catalog holds.
RULES = MinistryRules(period=PERIOD, framework_version="405", components={
    "6.6": _component("6.6", "ratio"),
    "8.4": _component("8.4", "ratio"),
    "5.2": _component("5.2", "boolean"),
    "5.3": _component("5.3", "yes_partial_no"),
    "2.1": _component("2.1", "count_capped"),
    "1.1": _component("1.1", "tiered", value_source="unit_reports"),
    "1.10": _component("1.10", "ratio"),
})


def csv_bytes(rows: list[list], headers: list[str] = HEADERS, delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([headers, *rows])
    return buffer.getvalue().encode("utf-8")


def workbook_bytes(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Số liệu Bộ"
    for row in [headers, *rows]:
        sheet.append(row)
    return xlsx_bytes(workbook)


def _read(content: bytes, name: str = "so-lieu-Bo.csv", rules: MinistryRules = RULES):
    return read_ministry_file(content, name, LIMIT, rules)


def test_a_good_file_lands_every_row_with_its_value_read_by_its_rule():
    content = csv_bytes([
        ["6.6", "72,5%", SOURCE, "15/10/2026"],
        ["8.4", "0,81", SOURCE, ""],
        ["5.2", "Có", SOURCE, "2026-10-15"],
        ["5.3", "một phần", SOURCE, ""],
        ["2.1", "1.234", SOURCE, ""],
        ["1.10", "72.5%", SOURCE, ""],
    ])
    values = _read(content)
    assert values.rejected == []
    assert [(row["component_code"], row["value"], row["value_as_written"], row["published_on"], row["_row_number"])
            for row in values.rows] == [
        ("6.6", Decimal("0.725"), "72,5%", date(2026, 10, 15), 2),
        ("8.4", Decimal("0.81"), "0,81", None, 3),
        ("5.2", Decimal(1), "Có", date(2026, 10, 15), 4),
        ("5.3", Decimal("0.5"), "một phần", None, 5),
        ("2.1", Decimal(1234), "1.234", None, 6),
        ("1.10", Decimal("0.725"), "72.5%", None, 7),
    ]
    assert {row["period"] for row in values.rows} == {PERIOD}
    assert {row["source_document"] for row in values.rows} == {SOURCE}


def test_a_workbook_is_read_like_a_csv_with_excel_numbers_dates_and_the_english_headers():
    content = workbook_bytes([
        ["6.6", 0.725, SOURCE, datetime(2026, 10, 15)],
        # a code Excel turned into a number, one code only can be meant
        [8.4, "81%", SOURCE, None],
    ], headers=["component_code", "value", "source_document", "published_on", "Tên chỉ số"])
    values = _read(content, "so-lieu-Bo.xlsx")
    assert values.rejected == []
    assert [(row["component_code"], row["value"], row["published_on"]) for row in values.rows] == [
        ("6.6", Decimal("0.725"), date(2026, 10, 15)), ("8.4", Decimal("0.81"), None)]


@pytest.mark.parametrize(
    ("row", "column", "vi", "en"),
    [
        (["9.9", "50%", SOURCE, ""], "Mã chỉ số", "không có trong bộ chỉ số 405 của kỳ 2026-Q3",
         "is not in framework 405 of period 2026-Q3"),
        (["1.1", "3", SOURCE, ""], "Mã chỉ số", "không do Bộ đánh giá (nguồn số liệu: unit_reports)",
         "is not measured by the Ministry"),
        (["6.6", "cao", SOURCE, ""], "Giá trị", '"cao" không phải số', '"cao" is not a number'),
        (["6.6", "72,5", SOURCE, ""], "Giá trị", 'nếu là 72,5% thì ghi "72,5%"', 'if it is 72,5%, write "72,5%"'),
        (["6.6", "120%", SOURCE, ""], "Giá trị", "tỷ lệ phải từ 0 đến 1", "a rate lies between 0 and 1"),
        (["6.6", "", SOURCE, ""], "Giá trị", "chưa ghi giá trị", "the value is missing"),
        (["5.2", "Một phần", SOURCE, ""], "Giá trị", 'phải là một trong "Có", "Không"', 'must be one of "Có", "Không"'),
        (["2.1", "-3", SOURCE, ""], "Giá trị", "phải là một số từ 0 trở lên", "must be a number from 0"),
        (["6.6", "72,5%", "", ""], "Văn bản/nguồn", "chưa ghi văn bản hoặc nguồn", "the document or source"),
        (["6.6", "72,5%", SOURCE, "31/02/2026"], "Ngày công bố", "không phải ngày hợp lệ", "is not a valid date"),
    ],
)
def test_each_bad_row_is_set_aside_with_its_column_and_reason_and_the_good_row_is_kept(row, column, vi, en):
    values = _read(csv_bytes([["8.4", "81%", SOURCE, ""], row]))
    assert [r["component_code"] for r in values.rows] == ["8.4"]
    (rejected,) = values.rejected
    assert (rejected.row_number, rejected.column_name) == (3, column)
    assert rejected.raw_value == (row[HEADERS.index(column)] or None)
    where_vi, where_en = f"tệp so-lieu-Bo.csv, dòng 3, cột '{column}'", f"file so-lieu-Bo.csv, row 3, column '{column}'"
    assert where_vi in rejected.reason and where_en in rejected.reason
    assert vi in rejected.reason.split(" / ")[0] and en in rejected.reason.split(" / ")[-1]


def test_a_component_given_twice_is_set_aside_on_both_rows():
    values = _read(csv_bytes([["6.6", "70%", SOURCE, ""], ["8.4", "81%", SOURCE, ""], ["6.6", "75%", SOURCE, ""]]))
    assert [r["component_code"] for r in values.rows] == ["8.4"]
    assert [(r.row_number, r.column_name) for r in values.rejected] == [(2, "Mã chỉ số"), (4, "Mã chỉ số")]
    assert all("chỉ số 6.6 có ở nhiều dòng (2, 4)" in r.reason and "component 6.6 is on several rows (2, 4)" in r.reason
               for r in values.rejected)


def test_a_code_excel_made_a_number_that_could_be_two_codes_is_refused():
    values = _read(workbook_bytes([[1.1, 0.5, SOURCE, None]]), "so-lieu-Bo.xlsx")
    (rejected,) = values.rejected
    assert "1.1, 1.10" in rejected.reason and "Text" in rejected.reason


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"", "so-lieu-Bo.csv", "the file is empty"),
        (csv_bytes([]), "so-lieu-Bo.csv", "only a header row, no component row"),
        (csv_bytes([["6.6", "70%"]], headers=["Mã chỉ số", "Giá trị"]), "so-lieu-Bo.csv",
         "the header row lacks column 'Văn bản/nguồn'"),
        (b"%PDF-1.7 not a workbook", "so-lieu-Bo.xlsx", "it is a PDF"),
        (b"PK\x03\x04 cut short", "so-lieu-Bo.xlsx", "the package is damaged or incomplete"),
        (b"6.6;70%", "so-lieu-Bo.pdf", ".pdf files are not accepted"),
    ],
)
def test_a_file_that_cannot_be_read_at_all_is_refused_whole_with_its_reason(content, name, reason):
    with pytest.raises(UnreadableAgencyFile) as refused:
        _read(content, name)
    assert name in str(refused.value) and reason in str(refused.value)


def test_the_rules_of_a_period_are_its_frameworks_components_as_the_catalog_has_them():
    with settings.DTI_COMPONENTS_SEED.open(encoding="utf-8", newline="") as handle:
        catalog = list(csv.DictReader(handle))
    for period, version in (("2026-Q3", "405"), ("2023-Q3", "922")):
        rules = ministry_rules(period)
        assert rules.framework_version == version
        assert set(rules.components) == {c["component_code"] for c in catalog if c["framework_version"] == version}
        assert [c["component_code"] for c in rules.measured_by_ministry()] == [
            c["component_code"] for c in catalog
            if c["framework_version"] == version and c["value_source"] == "ministry"]
    assert ministry_rules("2019-Q3").framework_version is None
