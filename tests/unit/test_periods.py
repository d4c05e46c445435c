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
