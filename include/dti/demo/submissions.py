"""Seeded, deterministic self-assessment submissions for the province's reporting units.

Each unit fills the same template ``dti template`` prints (so a catalog change flows through
both), with values plausible for a Vietnamese province (rates around the national figures in the
DTI notes). The inbox looks like a real one: a few units stay silent and one sends a damaged
file, some send after the deadline (the file's modification time is when it arrived), some send
a corrected file after a first one with a mistake, and some get one row wrong in one of the ways
people do. The same plan and seed always give the same files and times.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from openpyxl.cell.cell import Cell

from dti import periods
from dti.sources.submission_template import (
    build_template,
    components_for,
    load_components,
    load_units,
    submission_deadline,
    template_rows,
)

# component code -> (smallest denominator, largest denominator, lowest rate, highest rate)
DEMO_RANGES = {
    "3.1": (20, 20, 0.5, 0.95),        # data-centre criteria met out of the standard's list
    "4.1": (40, 900, 0.45, 0.98),      # civil servants trained in digital skills
    "4.2": (8, 40, 0.6, 1.0),          # villages and residential groups with a community digital team
    "7.1": (120, 420, 0.35, 0.75),     # full-process online services among online services
    "7.2": (60, 380, 0.7, 1.0),        # eligible procedures with digitised internal processes
    "7.3": (500, 9000, 0.7, 0.99),     # work records processed online
    "9.1": (6000, 45000, 0.08, 0.4),   # adults holding a personal digital signature
    "9.2": (300, 6000, 0.5, 0.95),     # people helped to use online public services
}
DEFAULT_RANGE = (4, 24, 0.35, 0.95)
# Submissions arrive in office hours, Vietnam time.
VIETNAM = timezone(timedelta(hours=7))
RESUBMISSION_SUFFIX = "-nop-lai"


@dataclass(frozen=True)
class DemoPlan:
    period: str
    seed: int = 2025
    missing_share: float = 0.08      # units that send nothing
    corrupt_files: int = 1           # of those, units whose file arrives cut short
    late_share: float = 0.1          # units that send after the submission deadline
    resubmitted_share: float = 0.03  # units that send a corrected file after a first one with a mistake
    malformed_share: float = 0.05    # units whose file has one row written wrongly


Row = dict[str, Cell]


def _rate_as_percent(row: Row, rows: list[Row], period: str) -> None:
    row["numerator"].value = f"{round(100 * row['numerator'].value / row['denominator'].value)}%"


def _rate_as_fraction(row: Row, rows: list[Row], period: str) -> None:
    row["numerator"].value = min(0.99, max(0.01, round(row["numerator"].value / row["denominator"].value, 2)))


def _rate_in_numerator_only(row: Row, rows: list[Row], period: str) -> None:
    row["numerator"].value = round(100 * row["numerator"].value / row["denominator"].value)
    row["denominator"].value = None


def _decimal_comma(row: Row, rows: list[Row], period: str) -> None:
    row["numerator"].value = f"{row['numerator'].value},5"


def _words(row: Row, rows: list[Row], period: str) -> None:
    row["numerator"].value = "đang cập nhật"


def _negative(row: Row, rows: list[Row], period: str) -> None:
    row["denominator"].value = -row["denominator"].value


def _numerator_over_denominator(row: Row, rows: list[Row], period: str) -> None:
    row["numerator"].value = row["denominator"].value + max(1, row["denominator"].value // 10)


def _left_blank(row: Row, rows: list[Row], period: str) -> None:
    row["numerator"].value = row["denominator"].value = None


def _previous_period(row: Row, rows: list[Row], period: str) -> None:
    row["period"].value = periods.previous_period(periods.period_end(period))


def _copied_neighbour(row: Row, rows: list[Row], period: str) -> None:
    neighbour = rows[rows.index(row) - 1] if rows.index(row) else rows[1]
    for column in ("component_code", "component_name"):
        row[column].value = neighbour[column].value


FLAWS: dict[str, Callable[[Row, list[Row], str], None]] = {
    "rate_as_percent": _rate_as_percent,
    "rate_as_fraction": _rate_as_fraction,
    "rate_in_numerator_only": _rate_in_numerator_only,
    "decimal_comma": _decimal_comma,
    "words": _words,
    "negative": _negative,
    "numerator_over_denominator": _numerator_over_denominator,
    "left_blank": _left_blank,
    "previous_period": _previous_period,
    "copied_neighbour": _copied_neighbour,
}


def generate_submissions(inbox: Path, plan: DemoPlan) -> list[Path]:
    """Write the period's submissions under ``inbox/<period>/``; existing files are left as they are.

    Every file's modification time is when it was sent: before the deadline, or after it for the
    late units; a corrected file a few days after the first one.
    """
    rng = random.Random(f"{plan.seed}:{plan.period}")
    units = load_units()
    components = load_components()
    folder = inbox / plan.period
    folder.mkdir(parents=True, exist_ok=True)
    silent = set(rng.sample([u["unit_code"] for u in units], round(len(units) * plan.missing_share)))
    senders = [u for u in units if u["unit_code"] not in silent]
    damaged = rng.sample(sorted(silent), min(plan.corrupt_files, len(silent)))
    sender_codes = [u["unit_code"] for u in senders]
    late = set(rng.sample(sender_codes, round(len(senders) * plan.late_share)))
    resubmitting = set(rng.sample(sender_codes, round(len(senders) * plan.resubmitted_share)))
    malformed = set(rng.sample(sender_codes, round(len(senders) * plan.malformed_share)))
    written: list[Path] = []
    for unit in senders:
        code = unit["unit_code"]
        figures = {c["component_code"]: _demo_figures(unit, c, rng) for c in components_for(unit, components)}
        sent_at = _sent_at(plan.period, code in late, rng)
        if code in resubmitting:
            first = folder / f"{code}.xlsx"
            _write_submission(first, unit, plan.period, figures, rng.choice(list(FLAWS)), sent_at, rng)
            written.append(first)
            sent_at += timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6))
            path = folder / f"{code}{RESUBMISSION_SUFFIX}.xlsx"
        else:
            path = folder / f"{code}.xlsx"
        _write_submission(path, unit, plan.period, figures, rng.choice(list(FLAWS)) if code in malformed else None,
                          sent_at, rng)
        written.append(path)
    for unit_code in sorted(damaged):
        path = folder / f"{unit_code}.xlsx"
        # A download cut short: the start of a ZIP archive and nothing usable after it.
        content = b"PK\x03\x04" + rng.randbytes(512)
        sent_at = _sent_at(plan.period, False, rng)
        if not path.exists():
            path.write_bytes(content)
            os.utime(path, (sent_at.timestamp(), sent_at.timestamp()))
        written.append(path)
    return written


def _write_submission(path: Path, unit: dict, period: str, figures: dict[str, tuple], flaw: str | None,
                      sent_at: datetime, rng: random.Random) -> None:
    """Fill the unit's template with ``figures``, get one row wrong by ``flaw``, save it as sent at ``sent_at``.

    The random draws happen whether or not the file exists, so an inbox filled in two goes holds
    the same files as one filled at once.
    """
    workbook = build_template(unit["unit_type"], period, unit=unit["unit_code"])
    rows = template_rows(workbook)
    for row in rows:
        row["numerator"].value, row["denominator"].value, row["evidence_document"].value = \
            figures[row["component_code"].value]
    if flaw:
        # The rate flaws need a rate strictly between 0 and 1 to be visible.
        between = [row for row in rows if 0 < row["numerator"].value < row["denominator"].value]
        FLAWS[flaw](rng.choice(between or rows), rows, period)
    if not path.exists():
        workbook.save(path)
        os.utime(path, (sent_at.timestamp(), sent_at.timestamp()))


def _sent_at(period: str, late: bool, rng: random.Random) -> datetime:
    """When a unit sends its file, in office hours: on a day after the period ends and by the
    deadline, or up to two weeks after the deadline for a late unit."""
    deadline = submission_deadline(period)
    if late:
        day = deadline + timedelta(days=rng.randint(1, 14))
    else:
        day = periods.period_end(period) + timedelta(days=rng.randint(1, (deadline - periods.period_end(period)).days))
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), VIETNAM)


def _demo_figures(unit: dict, component: dict, rng: random.Random) -> tuple[int, int, str]:
    low, high, rate_low, rate_high = DEMO_RANGES.get(component["component_code"], DEFAULT_RANGE)
    denominator = rng.randint(low, high)
    numerator = min(denominator, round(denominator * rng.uniform(rate_low, rate_high)))
    return numerator, denominator, f"{rng.randint(10, 999)}/BC-{unit['unit_code']}"
