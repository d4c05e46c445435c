"""Seeded, deterministic self-assessment submissions for the province's reporting units.

Each unit fills the same template ``dti template`` prints (so a catalog change flows through
both), with values plausible for a Vietnamese province: most rates between 60% and 95%, most
yes/no answers yes, most answers picked from a catalog's list the one earning full points, counts
in a realistic range for each component, so that units score around 0.65–0.8 of their points.
The inbox looks like a real one: a few units stay silent and one sends a damaged file, some send
after the deadline (the file's modification time is when it arrived), some send a corrected file
after a first one with a mistake, and some get one row wrong in one of the ways people do. The
same plan and seed always give the same files and times.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from openpyxl.cell.cell import Cell

from dti import periods
from dti.catalog.seeds import load_components, load_units, options_of
from dti.scoring_rules import BOOLEAN, CATEGORICAL, RATIO, SCORING_RULES, YES_PARTIAL_NO
from dti.provinces import Province
from dti.sources.submission_rules import ANSWERED_RULES, VALUE_CHOICES
from dti.sources.submission_template import build_template, components_for, submission_deadline, template_rows

# Ratio components: component code -> (smallest denominator, largest denominator), for a unit.
DENOMINATORS = {
    "NT01": (6, 30),        # digital-transformation tasks due in the period
    "TC01": (2, 8),         # plans and programmes the unit must issue
    "HT01": (2, 12),        # information systems the unit operates
    "HT02": (20, 180),      # staff computers
    "NL01": (25, 400),      # officials, civil servants and public employees
    "NL03": (8, 40),        # villages and residential groups of a commune or ward
    "AT01": (2, 12),        # information systems the unit operates
    "CQ01": (60, 400),      # online public services of the unit
    "CQ02": (30, 300),      # procedures eligible for a digitized internal process
    "CQ03": (500, 9000),    # work records in the period
    "CQ04": (200, 6000),    # administrative-procedure results issued in the period
    "KT01": (150, 2500),    # household businesses registered
    "KT02": (40, 600),      # markets and shops
    "XH02": (2000, 15000),  # households
}
DEFAULT_DENOMINATORS = (4, 24)
# Most rates fall in the usual band; the rest are a unit that lags on that component.
USUAL_RATES, LAGGING_RATES, LAGGING_SHARE = (0.6, 0.95), (0.3, 0.6), 0.1
# Counted components: component code -> (lowest, highest) for a unit in one period.
COUNT_RANGES = {
    "NL02": (1, 4),      # staff dedicated to IT and digital transformation
    "AT02": (0, 3),      # cyber-security drills taken part in
    "XH01": (50, 400),   # people helped to use online public services
    "FP01": (2, 5),      # steering-committee meetings since the start of the year
}
DEFAULT_COUNT_RANGE = (0, 5)
# Answers: scoring rule -> (answer, weight); component code -> its own weights where it differs.
ANSWER_WEIGHTS = {
    BOOLEAN: (("Có", 0.85), ("Không", 0.15)),
    YES_PARTIAL_NO: (("Có", 0.6), ("Một phần", 0.3), ("Không", 0.1)),
}
COMPONENT_ANSWER_WEIGHTS = {"FP02": (("Có", 1.0),)}  # the province's data centre is certified
# A categorical component's answers are the catalog's: the one earning full points (the head of the
# steering committee is the Party Secretary or the Chairman) is the usual one, the others share the rest.
BEST_ANSWER_WEIGHT = 0.8
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


@dataclass(frozen=True)
class Flaw:
    """One way a unit writes a row wrongly, and the rows (by scoring rule) it can happen to."""

    write: Callable[[Row, list[Row], str], None]
    rules: tuple[str, ...]


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
    row["numerator"].value = row["denominator"].value = row["reported_value"].value = None


def _previous_period(row: Row, rows: list[Row], period: str) -> None:
    row["period"].value = periods.previous_period(periods.period_end(period))


def _copied_neighbour(row: Row, rows: list[Row], period: str) -> None:
    """The row above pasted over this one: the same component written twice."""
    neighbour = rows[rows.index(row) - 1] if rows.index(row) else rows[1]
    for column, cell in neighbour.items():
        if column not in ("unit_code", "unit_name", "period"):
            row[column].value = cell.value


def _unsure_answer(row: Row, rows: list[Row], period: str) -> None:
    row["reported_value"].value = "Có lẽ"


def _negative_count(row: Row, rows: list[Row], period: str) -> None:
    row["reported_value"].value = -max(1, row["reported_value"].value)


def _count_in_words(row: Row, rows: list[Row], period: str) -> None:
    row["reported_value"].value = "khoảng ba"


COUNTED = tuple(rule for rule in SCORING_RULES if rule != RATIO and rule not in ANSWERED_RULES)
FLAWS: dict[str, Flaw] = {
    "rate_as_percent": Flaw(_rate_as_percent, (RATIO,)),
    "rate_as_fraction": Flaw(_rate_as_fraction, (RATIO,)),
    "rate_in_numerator_only": Flaw(_rate_in_numerator_only, (RATIO,)),
    "decimal_comma": Flaw(_decimal_comma, (RATIO,)),
    "words": Flaw(_words, (RATIO,)),
    "negative": Flaw(_negative, (RATIO,)),
    "numerator_over_denominator": Flaw(_numerator_over_denominator, (RATIO,)),
    "left_blank": Flaw(_left_blank, SCORING_RULES),
    "previous_period": Flaw(_previous_period, SCORING_RULES),
    "copied_neighbour": Flaw(_copied_neighbour, SCORING_RULES),
    "unsure_answer": Flaw(_unsure_answer, ANSWERED_RULES),
    "negative_count": Flaw(_negative_count, COUNTED),
    "count_in_words": Flaw(_count_in_words, COUNTED),
}


def generate_submissions(inbox: Path, plan: DemoPlan, province: Province) -> list[Path]:
    """Write the period's submissions of the province's units under ``inbox/<period>/``; existing
    files are left as they are.

    Every file's modification time is when it was sent: before the deadline, or after it for the
    late units; a corrected file a few days after the first one.
    """
    rng = random.Random(f"{plan.seed}:{plan.period}")
    units = load_units(province)
    components = load_components()
    deadline = submission_deadline(plan.period, province)
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
        reported = components_for(unit, components, province.focal_point_unit_code)
        rules = {c["component_code"]: c["scoring_rule"] for c in reported}
        figures = {c["component_code"]: _demo_figures(unit, c, rng) for c in reported}
        sent_at = _sent_at(plan.period, deadline, code in late, rng)
        if code in resubmitting:
            first = folder / f"{code}.xlsx"
            _write_submission(first, unit, plan.period, province, figures, rules, True, sent_at, rng)
            written.append(first)
            sent_at += timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6))
            path = folder / f"{code}{RESUBMISSION_SUFFIX}.xlsx"
        else:
            path = folder / f"{code}.xlsx"
        _write_submission(path, unit, plan.period, province, figures, rules, code in malformed, sent_at, rng)
        written.append(path)
    for unit_code in sorted(damaged):
        path = folder / f"{unit_code}.xlsx"
        # A download cut short: the start of a ZIP archive and nothing usable after it.
        content = b"PK\x03\x04" + rng.randbytes(512)
        sent_at = _sent_at(plan.period, deadline, False, rng)
        if not path.exists():
            path.write_bytes(content)
            os.utime(path, (sent_at.timestamp(), sent_at.timestamp()))
        written.append(path)
    return written


def _write_submission(path: Path, unit: dict, period: str, province: Province, figures: dict[str, dict],
                      rules: dict[str, str], flawed: bool, sent_at: datetime, rng: random.Random) -> None:
    """Fill the unit's template with ``figures``, get one row wrong if ``flawed``, save it as sent at ``sent_at``.

    The random draws happen whether or not the file exists, so an inbox filled in two goes holds
    the same files as one filled at once.
    """
    workbook = build_template(unit["unit_type"], period, province, unit=unit["unit_code"])
    rows = template_rows(workbook)
    for row in rows:
        for column, value in figures[row["component_code"].value].items():
            row[column].value = value
    if flawed:
        rule_of = {id(row): rules[row["component_code"].value] for row in rows}
        name = rng.choice([name for name, flaw in FLAWS.items() if any(rule_of[id(row)] in flaw.rules for row in rows)])
        candidates = [row for row in rows if rule_of[id(row)] in FLAWS[name].rules]
        # The rate flaws need a rate strictly between 0 and 1 to be visible.
        between = [row for row in candidates if rule_of[id(row)] == RATIO
                   and 0 < row["numerator"].value < row["denominator"].value]
        FLAWS[name].write(rng.choice(between or candidates), rows, period)
    if not path.exists():
        workbook.save(path)
        os.utime(path, (sent_at.timestamp(), sent_at.timestamp()))


def _sent_at(period: str, deadline: date, late: bool, rng: random.Random) -> datetime:
    """When a unit sends its file, in office hours: on a day after the period ends and by the
    deadline, or up to two weeks after the deadline for a late unit."""
    if late:
        day = deadline + timedelta(days=rng.randint(1, 14))
    else:
        day = periods.period_end(period) + timedelta(days=rng.randint(1, (deadline - periods.period_end(period)).days))
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), VIETNAM)


def _demo_figures(unit: dict, component: dict, rng: random.Random) -> dict[str, object]:
    """The cells of the component's row a unit writes, by the component's scoring rule."""
    code, rule = component["component_code"], component["scoring_rule"]
    figures: dict[str, object] = {"evidence_document": f"{rng.randint(10, 999)}/BC-{unit['unit_code']}"}
    if rule == RATIO:
        denominator = rng.randint(*DENOMINATORS.get(code, DEFAULT_DENOMINATORS))
        rates = LAGGING_RATES if rng.random() < LAGGING_SHARE else USUAL_RATES
        figures["numerator"] = min(denominator, round(denominator * rng.uniform(*rates)))
        figures["denominator"] = denominator
    elif rule in VALUE_CHOICES:
        answers, weights = zip(*COMPONENT_ANSWER_WEIGHTS.get(code, ANSWER_WEIGHTS[rule]), strict=True)
        figures["reported_value"] = rng.choices(answers, weights)[0]
    elif rule == CATEGORICAL:
        options = options_of(component)
        best = max(options, key=lambda option: option.points_share)
        weights = [BEST_ANSWER_WEIGHT if option == best else (1 - BEST_ANSWER_WEIGHT) / (len(options) - 1)
                   for option in options]
        figures["reported_value"] = rng.choices([option.vi for option in options], weights)[0]
    else:
        figures["reported_value"] = rng.randint(*COUNT_RANGES.get(code, DEFAULT_COUNT_RANGE))
    return figures
