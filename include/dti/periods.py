"""Assessment periods: the label of the period a run scores, from a date or the user's choice, and
the period as units write it ("Quý III/2026") read as its label ("2026-Q3")."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime

from dti import settings

PERIOD_PATTERNS = {
    "quarter": re.compile(r"^\d{4}-Q[1-4]$"),
    "month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    "year": re.compile(r"^\d{4}$"),
}
ROMAN_QUARTERS = ("I", "II", "III", "IV")
# How units write a period, matched on the text in lower case with single spaces, diacritics
# optional ("quý", "quy", or "qúy" as older typing rules place the tone). A quarter in Arabic
# digits needs its "Quý"/"Q" ("3/2026" is March to anyone reading it); in Roman ones it does not
# ("III/2026"). Between the number and the year: "/", "-", ".", a space or "năm".
_BEFORE_YEAR = r"\s*(?:[/\-.]\s*|\s(?:n[aă]m\s+)?)(?P<year>\d{4})"
WRITTEN_PERIODS = {
    "quarter": (
        re.compile(r"(?P<year>\d{4})\s*[-/ ]?\s*q(?P<quarter>[1-4])"),
        re.compile(r"(?:q[uú][yý]\s*|q\s*)(?P<quarter>[1-4]|iv|i{1,3})" + _BEFORE_YEAR),
        re.compile(r"(?P<quarter>iv|i{1,3})" + _BEFORE_YEAR),
    ),
    "month": (
        re.compile(r"(?P<year>\d{4})\s*-\s*(?P<month>\d{1,2})"),
        re.compile(r"(?:th[aá]ng\s*|t\s*)?(?P<month>\d{1,2})" + _BEFORE_YEAR),
    ),
    "year": (re.compile(r"(?:n[aă]m\s*)?(?P<year>\d{4})"),),
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


def granularity_of(period: str) -> str:
    """'quarter', 'month' or 'year': which kind of label ``period`` is (the configured granularity
    for a text that is no label)."""
    return next((granularity for granularity, pattern in PERIOD_PATTERNS.items() if pattern.match(period)),
                settings.PERIOD_GRANULARITY)


def parse_period(written: str, granularity: str = settings.PERIOD_GRANULARITY) -> str | None:
    """The label of a period of ``granularity`` as units write it: "Quý III/2026", "Quý 3/2026",
    "Q3/2026", "III/2026", "Quý III năm 2026" and "2026-Q3" are '2026-Q3'; "Tháng 9/2026", "09/2026"
    and "2026-09" are '2026-09'; "Năm 2026" and "2026" are '2026'. None when the text is none of
    these (case, spacing and Unicode form aside)."""
    text = " ".join(unicodedata.normalize("NFC", written).split()).casefold()
    for pattern in WRITTEN_PERIODS[granularity]:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        year = int(match["year"])
        if granularity == "quarter":
            number = match["quarter"]
            quarter = int(number) if number.isdigit() else ROMAN_QUARTERS.index(number.upper()) + 1
            return f"{year}-Q{quarter}"
        if granularity == "month":
            month = int(match["month"])
            return f"{year}-{month:02d}" if 1 <= month <= 12 else None
        return f"{year}"
    return None


def period_in_words_vi(period: str) -> str:
    """A period label as Vietnamese documents write it: "Quý III/2026", "Tháng 9/2026", "Năm 2026"."""
    granularity = granularity_of(period)
    validate_period(period, granularity)
    if granularity == "quarter":
        return f"Quý {ROMAN_QUARTERS[int(period[-1]) - 1]}/{period[:4]}"
    if granularity == "month":
        return f"Tháng {int(period[5:])}/{period[:4]}"
    return f"Năm {period}"
