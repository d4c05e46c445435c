"""Assessment periods: the label of the period a run scores, from a date or the user's choice."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from dti import settings

PERIOD_PATTERNS = {
    "quarter": re.compile(r"^\d{4}-Q[1-4]$"),
    "month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    "year": re.compile(r"^\d{4}$"),
}


def period_for(day: date | datetime, granularity: str = settings.PERIOD_GRANULARITY) -> str:
    """The assessment period label that contains ``day``: '2026-Q3', '2026-07' or '2026'."""
    if granularity == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if granularity == "month":
        return f"{day.year}-{day.month:02d}"
    if granularity == "year":
        return f"{day.year}"
    raise ValueError(f"unknown period granularity {granularity!r}; use one of {sorted(settings.SCHEDULES)}")


def previous_period(today: date, granularity: str = settings.PERIOD_GRANULARITY) -> str:
    """The latest period that has ended by ``today``: what a run without --period assesses."""
    if granularity == "quarter":
        quarter_start_month = (today.month - 1) // 3 * 3 + 1
        year, month = (today.year, quarter_start_month - 3) if quarter_start_month > 3 else (today.year - 1, 10)
        return period_for(date(year, month, 1), granularity)
    if granularity == "month":
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return period_for(date(year, month, 1), granularity)
    return period_for(date(today.year - 1, 1, 1), granularity)


def validate_period(period: str, granularity: str = settings.PERIOD_GRANULARITY) -> str:
    if not PERIOD_PATTERNS[granularity].match(period):
        examples = {"quarter": "2026-Q3", "month": "2026-07", "year": "2026"}
        raise ValueError(f"period {period!r} is not a {granularity} label such as {examples[granularity]}")
    return period


def resolve_period(requested: str | None, data_interval_start: datetime | None) -> str:
    """The ``period`` param when given (re-runs, backfills of a named period), else the data interval's."""
    if requested:
        return validate_period(requested)
    if data_interval_start is None:
        raise ValueError("no period given and the run has no data interval to derive it from")
    return period_for(data_interval_start)


def period_start(period: str) -> date:
    """The first day of a period label: '2026-Q3', '2026-07' or '2026'."""
    last_day = period_end(period)
    months = 3 if "-Q" in period else 1 if len(period) == 7 else 12
    return date(last_day.year, last_day.month - months + 1, 1)


def period_end(period: str) -> date:
    """The last day of a period label: '2026-Q3', '2026-07' or '2026'."""
    if not any(pattern.match(period) for pattern in PERIOD_PATTERNS.values()):
        raise ValueError(f"{period!r} is not a period label such as 2026-Q3, 2026-07 or 2026")
    year = int(period[:4])
    if "-Q" in period:
        last_month = int(period[-1]) * 3
    elif len(period) == 7:
        last_month = int(period[5:])
    else:
        last_month = 12
    return date(year, last_month, calendar.monthrange(year, last_month)[1])
