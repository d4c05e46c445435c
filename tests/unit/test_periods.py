import unicodedata
from datetime import date, datetime

import pytest

from dti import periods


@pytest.mark.parametrize(
    ("day", "granularity", "expected"),
    [
        (date(2026, 1, 1), "quarter", "2026-Q1"),
        (date(2026, 9, 30), "quarter", "2026-Q3"),
        (date(2026, 10, 1), "quarter", "2026-Q4"),
        (date(2026, 7, 15), "month", "2026-07"),
        (date(2026, 7, 15), "year", "2026"),
    ],
)
def test_period_for_labels_the_period_containing_the_day(day, granularity, expected):
    assert periods.period_for(day, granularity) == expected


@pytest.mark.parametrize(
    ("today", "granularity", "expected"),
    [
        (date(2026, 11, 29), "quarter", "2026-Q3"),
        (date(2026, 2, 10), "quarter", "2025-Q4"),
        (date(2026, 1, 5), "month", "2025-12"),
        (date(2026, 6, 1), "month", "2026-05"),
        (date(2026, 6, 1), "year", "2025"),
    ],
)
def test_previous_period_is_the_last_one_that_has_ended(today, granularity, expected):
    assert periods.previous_period(today, granularity) == expected


def test_resolve_period_prefers_the_param_over_the_data_interval():
    assert periods.resolve_period("2025-Q2", datetime(2026, 7, 1)) == "2025-Q2"
    assert periods.resolve_period(None, datetime(2026, 7, 1)) == "2026-Q3"


@pytest.mark.parametrize("bad", ["2026-Q5", "2026Q3", "Q3-2026", "2026-3", "../etc"])
def test_a_malformed_period_is_refused_with_an_example(bad):
    with pytest.raises(ValueError, match="2026-Q3"):
        periods.validate_period(bad, "quarter")


def test_resolve_period_without_param_or_interval_says_why():
    with pytest.raises(ValueError, match="no period given"):
        periods.resolve_period(None, None)


@pytest.mark.parametrize("period, first, last", [("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
                                                 ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
                                                 ("2025", date(2025, 1, 1), date(2025, 12, 31))])
def test_a_period_runs_from_its_first_to_its_last_day(period, first, last):
    assert (periods.period_start(period), periods.period_end(period)) == (first, last)


@pytest.mark.parametrize(
    ("written", "granularity", "label"),
    [
        ("Quý III/2026", "quarter", "2026-Q3"), ("Quý 3/2026", "quarter", "2026-Q3"),
        ("Q3/2026", "quarter", "2026-Q3"), ("III/2026", "quarter", "2026-Q3"),
        ("Quý III năm 2026", "quarter", "2026-Q3"), ("quy iii nam 2026", "quarter", "2026-Q3"),
        ("QUÝ  IV / 2026", "quarter", "2026-Q4"), ("Qúy I/2027", "quarter", "2027-Q1"),
        ("Q2-2026", "quarter", "2026-Q2"), ("2026-Q3", "quarter", "2026-Q3"),
        (unicodedata.normalize("NFD", "Quý III/2026"), "quarter", "2026-Q3"),  # tone marks apart, as cp1258 writes
        ("Tháng 9/2026", "month", "2026-09"), ("tháng 09/2026", "month", "2026-09"),
        ("Tháng 9 năm 2026", "month", "2026-09"), ("T12/2026", "month", "2026-12"),
        ("09/2026", "month", "2026-09"), ("2026-09", "month", "2026-09"),
        ("Năm 2026", "year", "2026"), ("nam 2026", "year", "2026"), ("2026", "year", "2026"),
    ],
)
def test_a_period_written_the_vietnamese_way_reads_as_its_label(written, granularity, label):
    assert periods.parse_period(written, granularity) == label


@pytest.mark.parametrize(
    ("written", "granularity"),
    [
        ("3/2026", "quarter"),  # March, to anyone reading it: a quarter in digits needs "Quý" or "Q"
        ("Quý V/2026", "quarter"), ("Q5/2026", "quarter"), ("Quý III", "quarter"), ("Tháng 9/2026", "quarter"),
        ("Tháng 13/2026", "month"), ("Quý III/2026", "month"), ("2026-Q3", "year"), ("năm nay", "year"), ("", "year"),
    ],
)
def test_a_text_that_is_no_period_of_the_granularity_reads_as_none(written, granularity):
    assert periods.parse_period(written, granularity) is None


def test_the_configured_granularity_reads_a_period_unless_told_otherwise():
    assert periods.parse_period("Quý III/2026") == "2026-Q3"  # the default granularity is the quarter
    assert periods.granularity_of("2026-09") == "month" and periods.granularity_of("2026") == "year"


@pytest.mark.parametrize(("period", "words"), [("2026-Q3", "Quý III/2026"), ("2026-09", "Tháng 9/2026"),
                                              ("2026", "Năm 2026")])
def test_a_period_is_written_in_words_as_documents_write_it(period, words):
    assert periods.period_in_words_vi(period) == words
    assert periods.parse_period(words, periods.granularity_of(period)) == period
