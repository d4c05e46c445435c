"""Seeded, deterministic dossier records (hồ sơ thủ tục hành chính) for the sandbox procedure API.

Volumes follow a province of Bắc Ninh's size: about 60,000 dossiers a month, most received by
the communes' and wards' one-stop shops, a good half filed online. ``advance_dossiers`` moves the
data on the way the real system does between two syncs: new dossiers arrive and open ones change
status, each with a later ``updated_at``.

The demo procedure system holds a history, as the real one does: every period with a recorded
plan. Recording a period's plan also records the earlier periods of its year that have none, so
that a run for an earlier period later (a backfill) finds its dossiers where a real system would.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from dti.catalog.seeds import load_units
from dti.provinces import Province

DOSSIERS_PER_MONTH = 60_000
VIETNAM = timezone(timedelta(hours=7))
VIETNAM_OFFSET_SECONDS = 7 * 3600
OPEN_STATUSES = ("received", "processing")

# One-stop shops of communes and wards receive most dossiers; a department receives more per unit.
RECEIPT_WEIGHT = {"department": 30, "ward": 14, "commune": 8}
PROCEDURES = 400
ONLINE_SHARE = 0.62
FULL_PROCESS_SHARE_OF_ONLINE = 0.55
REJECTED_SHARE = 0.04
MEAN_PROCESSING_DAYS = 4.0
# Citizens' ids start with the code of the province of birth: Bắc Ninh's and its neighbours'.
BIRTH_PROVINCES = ("027", "027", "027", "024", "001", "022", "019", "033")
OFFICE_OPENS = 7 * 3600 + 30 * 60
OFFICE_DAY = 9 * 3600 + 30 * 60


@dataclass(frozen=True)
class DossierPlan:
    period: str
    seed: int = 2025
    scale: float = 1.0

    @property
    def count(self) -> int:
        start, end = period_bounds(self.period)
        months = (end.year - start.year) * 12 + end.month - start.month
        return round(DOSSIERS_PER_MONTH * self.scale * months)


PLAN_FILE_PREFIX = "dossiers-"


def record_plan(folder: Path, plan: DossierPlan) -> Path:
    """Remember which dossiers the demo procedure system holds for ``plan.period``, so that a
    later run's sandbox API serves the same ones (``dti demo-data --scale`` sets the volume).
    The earlier periods of the year that have no plan yet get one with the same seed and scale:
    a real system would already hold their dossiers. A recorded plan of theirs is kept, since the
    dossiers a system holds for a past period do not change when a later one is planned."""
    folder.mkdir(parents=True, exist_ok=True)
    for earlier in earlier_periods_of_year(plan.period):
        if not _plan_file(folder, earlier).exists():
            _write_plan(folder, DossierPlan(period=earlier, seed=plan.seed, scale=plan.scale))
    return _write_plan(folder, plan)


def _plan_file(folder: Path, period: str) -> Path:
    return folder / f"{PLAN_FILE_PREFIX}{period}.json"


def _write_plan(folder: Path, plan: DossierPlan) -> Path:
    target = _plan_file(folder, plan.period)
    target.write_text(json.dumps(asdict(plan)), encoding="utf-8")
    return target


def recorded_plan(folder: Path, period: str) -> DossierPlan:
    """The plan ``record_plan`` kept for ``period``, or the default volume and seed."""
    recorded = _plan_file(folder, period)
    if not recorded.exists():
        return DossierPlan(period=period)
    return DossierPlan(**json.loads(recorded.read_text(encoding="utf-8")))


def recorded_plans(folder: Path) -> list[DossierPlan]:
    """Every plan ``record_plan`` kept in ``folder``, earliest period first."""
    plans = [DossierPlan(**json.loads(path.read_text(encoding="utf-8")))
             for path in folder.glob(f"{PLAN_FILE_PREFIX}*.json")] if folder.is_dir() else []
    return sorted(plans, key=lambda plan: (period_bounds(plan.period), plan.period))


def earlier_periods_of_year(period: str) -> list[str]:
    """The periods of ``period``'s kind before it in its year: '2026-Q3' → Q1 and Q2; '2026-03' →
    January and February; a year has none."""
    year = period[:4]
    if "-Q" in period:
        return [f"{year}-Q{quarter}" for quarter in range(1, int(period[-1]))]
    if len(period) == 7:
        return [f"{year}-{month:02d}" for month in range(1, int(period[5:]))]
    return []


def history_plans(folder: Path, period: str) -> list[DossierPlan]:
    """The plans of the dossiers the demo procedure system holds when a run for ``period`` reads
    it: every recorded plan, and ``period``'s own (its default) when none was recorded."""
    plans = recorded_plans(folder)
    if all(plan.period != period for plan in plans):
        plans.append(DossierPlan(period=period))
    return plans


def generate_history(plans: list[DossierPlan], province: Province) -> list[dict]:
    """The dossiers of every plan, served together as one system's history."""
    return [record for plan in plans for record in generate_dossiers(plan, province)]


def period_bounds(period: str) -> tuple[date, date]:
    """First day of the period and first day after it, for '2026-07', '2026-Q3' or '2026'."""
    year = int(period[:4])
    if "-Q" in period:
        first_month, months = 3 * int(period[-1]) - 2, 3
    elif len(period) == 7:
        first_month, months = int(period[5:]), 1
    else:
        first_month, months = 1, 12
    after = first_month - 1 + months
    return date(year, first_month, 1), date(year + after // 12, after % 12 + 1, 1)


class _Generator:
    """Everything drawn for one dossier, from a seeded ``random.Random``; lean on purpose, since
    a benchmark draws a million of them."""

    def __init__(self, plan: DossierPlan, province: Province, rng: random.Random):
        self.rng = rng
        units = load_units(province)
        self.unit_codes = [unit["unit_code"] for unit in units]
        weights = [RECEIPT_WEIGHT[unit["unit_type"]] for unit in units]
        self.cumulative_weights = [sum(weights[: i + 1]) for i in range(len(weights))]
        self.unit_numbers = {code: f"{number:03d}" for number, code in enumerate(self.unit_codes, start=1)}
        # The catalogue of procedures depends on the seed only, so advanced data draws from the same one.
        catalogue = random.Random(f"{plan.seed}:procedures")
        self.procedure_codes = [f"{kind}.{number:06d}" for kind, number in
                                zip(catalogue.choices((1, 2), weights=(9, 1), k=PROCEDURES),
                                    catalogue.sample(range(1000, 14000), PROCEDURES), strict=True)]
        self._day_labels: dict[int, str] = {}
        self._time_labels = [f"T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}+07:00"
                             for second in range(86400)]

    def iso(self, seconds: int) -> str:
        """Vietnam local time of an epoch second, as the API writes it: '2026-07-01T08:15:30+07:00'."""
        day, second = divmod(seconds + VIETNAM_OFFSET_SECONDS, 86400)
        label = self._day_labels.get(day)
        if label is None:
            label = self._day_labels[day] = (date(1970, 1, 1) + timedelta(days=day)).isoformat()
        return label + self._time_labels[second]

    def office_time(self, first_day: int, days: int) -> int:
        """An epoch second within office hours of one of ``days`` days from ``first_day`` (epoch days)."""
        rng = self.rng
        midnight = (first_day + int(rng.random() * days)) * 86400 - VIETNAM_OFFSET_SECONDS
        return midnight + OFFICE_OPENS + int(rng.random() * OFFICE_DAY)

    def dossier(self, seq: int, unit_code: str, filed: int, as_of: int) -> dict:
        rng = self.rng
        online = rng.random() < ONLINE_SHARE
        returned = filed + int(rng.expovariate(1 / (MEAN_PROCESSING_DAYS * 86400)))
        if returned <= as_of:
            status = "rejected" if rng.random() < REJECTED_SHARE else "completed"
            updated, returned_at = returned, self.iso(returned)
        else:
            started = filed + int(rng.random() * 8 * 3600)
            status = "processing" if started <= as_of else "received"
            updated, returned_at = (started if status == "processing" else filed), None
        filed_at = self.iso(filed)
        return {
            "dossier_id": (f"H24.{self.unit_numbers[unit_code]}-"
                           f"{filed_at[2:4]}{filed_at[5:7]}{filed_at[8:10]}-{seq:07d}"),
            "procedure_code": self.procedure_codes[int(rng.random() * PROCEDURES)],
            "unit_code": unit_code,
            "filed_at": filed_at,
            "channel": "online" if online else "offline",
            "full_process": online and rng.random() < FULL_PROCESS_SHARE_OF_ONLINE,
            "status": status,
            "returned_at": returned_at,
            "citizen_id": f"{BIRTH_PROVINCES[int(rng.random() * 8)]}{int(rng.random() * 4)}"
                          f"{int(rng.random() * 100):02d}{int(rng.random() * 1_000_000):06d}",
            "updated_at": self.iso(updated),
        }

    def units(self, count: int) -> list[str]:
        return self.rng.choices(self.unit_codes, cum_weights=self.cumulative_weights, k=count)


def _epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _epoch_second(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp).timestamp())


def generate_dossiers(plan: DossierPlan, province: Province) -> list[dict]:
    """The dossiers filed with the province's units in ``plan.period``, as its procedure system
    holds them at its end."""
    start, end = period_bounds(plan.period)
    generator = _Generator(plan, province, random.Random(f"{plan.seed}:{plan.period}"))
    first_day, days = _epoch_day(start), (end - start).days
    as_of = _epoch_day(end) * 86400 - VIETNAM_OFFSET_SECONDS - 1
    return [generator.dossier(seq, unit_code, generator.office_time(first_day, days), as_of)
            for seq, unit_code in enumerate(generator.units(plan.count), start=1)]


def advance_dossiers(records: list[dict], plan: DossierPlan, province: Province, step: int = 1, *,
                     new_share: float = 0.01, changed_share: float = 0.005) -> list[dict]:
    """The same dataset a day later: ``new_share`` more dossiers and ``changed_share`` of them
    with a new status, all updated after everything in ``records``. ``records`` is left as it is."""
    generator = _Generator(plan, province, random.Random(f"{plan.seed}:{plan.period}:advance:{step}"))
    rng = generator.rng
    latest = max(_epoch_second(record["updated_at"]) for record in records)
    as_of = latest + 86400

    def later() -> int:
        return latest + 1 + int(rng.random() * 86400)

    open_positions = [i for i, record in enumerate(records) if record["status"] in OPEN_STATUSES]
    advanced = list(records)
    for position in rng.sample(open_positions, min(len(open_positions), round(len(records) * changed_share))):
        record, updated = records[position], later()
        if record["status"] == "received":
            advanced[position] = {**record, "status": "processing", "updated_at": generator.iso(updated)}
        else:
            status = "rejected" if rng.random() < REJECTED_SHARE else "completed"
            advanced[position] = {**record, "status": status, "returned_at": generator.iso(updated),
                                  "updated_at": generator.iso(updated)}
    new_count = round(len(records) * new_share)
    advanced.extend(generator.dossier(seq, unit_code, later(), as_of)
                    for seq, unit_code in enumerate(generator.units(new_count), start=len(records) + 1))
    return advanced
