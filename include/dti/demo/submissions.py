"""Seeded, deterministic self-assessment workbooks for the province's reporting units.

Values are plausible for a Vietnamese province (rates around the national figures in the DTI
notes); a few units stay silent and one sends a damaged file, so every run exercises the urging
list and quarantine.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from dti import settings
from dti.sources import submissions

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
UNIT_TYPE_SCOPE = {"department": "department", "commune": "commune", "ward": "commune"}


@dataclass(frozen=True)
class DemoPlan:
    period: str
    seed: int = 2025
    missing_share: float = 0.08
    corrupt_files: int = 1


def load_units() -> list[dict]:
    with settings.REPORTING_UNITS_SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_components() -> list[dict]:
    with settings.COMPONENTS_SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def components_for(unit: dict, components: list[dict]) -> list[dict]:
    scope = UNIT_TYPE_SCOPE[unit["unit_type"]]
    return [c for c in components if c["reported_by"] in ("all", scope)]


def generate_submissions(inbox: Path, plan: DemoPlan) -> list[Path]:
    """Write the period's workbooks under ``inbox/<period>/``; existing files are left as they are."""
    rng = random.Random(f"{plan.seed}:{plan.period}")
    units = load_units()
    components = load_components()
    folder = inbox / plan.period
    folder.mkdir(parents=True, exist_ok=True)
    silent = set(rng.sample([u["unit_code"] for u in units], round(len(units) * plan.missing_share)))
    senders = [u for u in units if u["unit_code"] not in silent]
    damaged = set(rng.sample(sorted(silent), min(plan.corrupt_files, len(silent))))
    written: list[Path] = []
    for unit in senders:
        path = folder / f"{unit['unit_code']}.xlsx"
        rows = [_demo_row(unit, component, plan.period, rng) for component in components_for(unit, components)]
        if not path.exists():
            write_workbook(path, rows)
        written.append(path)
    for unit_code in sorted(damaged):
        path = folder / f"{unit_code}.xlsx"
        if not path.exists():
            # A download cut short: the start of a ZIP archive and nothing usable after it.
            path.write_bytes(b"PK\x03\x04" + rng.randbytes(512))
        written.append(path)
    return written


def write_workbook(path: Path, rows: list[list]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = submissions.SHEET_NAME
    sheet.append(submissions.HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def _demo_row(unit: dict, component: dict, period: str, rng: random.Random) -> list:
    low, high, rate_low, rate_high = DEMO_RANGES.get(component["component_code"], DEFAULT_RANGE)
    denominator = rng.randint(low, high)
    numerator = min(denominator, round(denominator * rng.uniform(rate_low, rate_high)))
    evidence = f"{rng.randint(10, 999)}/BC-{unit['unit_code']}"
    return [unit["unit_code"], unit["name_vi"], period, component["component_code"], component["name_vi"],
            numerator, denominator, evidence]
