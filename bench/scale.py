"""Scale benchmark: the whole pipeline on Airflow's distributed engine, at several dossier volumes
and worker counts, in one run.

Each configuration gets a fresh deployment on this machine's PostgreSQL and Redis (the tests'
harness ``tests/stack/local_stack.py``: api-server, scheduler, dag-processor and one Celery worker
running ``--workers`` tasks at once), one period of demo data with ``--scales`` times the demo's
dossier volume (1 is about 60,000 dossiers a month, three months a quarter), and one triggered run
of the province's DAG. From the run's task instances it prints the wall time of each stage (first
task start to last task end), then every figure as a ratio to the first configuration's, then,
between the smallest and the largest volume at each worker count, how much faster than its data each
stage grew: a growth of 1.0 keeps pace with the dossiers, above 1.0 the stage costs more per dossier
as volume rises.

    .venv/bin/python bench/scale.py                          # 1x, 4x, 16x with 1 and 2 workers
    .venv/bin/python bench/scale.py --scales 0.1 --workers 1 # a quick look

Not a test: it asserts nothing and takes from minutes to an hour.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from dti import settings
from dti.provinces import load_deployment

# The stack harness ships with the tests, not the package; run as a script, the benchmark finds it
# from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.stack.local_stack import DemoDeployment  # noqa: E402

STAGES = ("prepare", "extract", "land", "validate_raw", "transform", "validate_marts", "publish")
# Tasks outside the stage groups, and the stage they open.
PREPARE_TASKS = ("resolve_period", "prepare_warehouse")


@dataclass
class Measurement:
    scale: float
    workers: int
    state: str
    total_seconds: float
    stage_seconds: dict[str, float]

    @property
    def label(self) -> str:
        return f"{self.scale:g}x, {self.workers} worker{'s' if self.workers > 1 else ''}"


def stage_of(task_id: str) -> str | None:
    if task_id in PREPARE_TASKS:
        return "prepare"
    stage = task_id.split(".", 1)[0]
    return stage if stage in STAGES else None


def stage_seconds(task_instances: list[dict]) -> dict[str, float]:
    """Each stage's wall time: from its first task's start to its last task's end."""
    spans: dict[str, list[datetime]] = {}
    for instance in task_instances:
        stage = stage_of(instance["task_id"])
        if stage is None or not instance["start_date"] or not instance["end_date"]:
            continue
        start, end = (datetime.fromisoformat(instance[key]) for key in ("start_date", "end_date"))
        first, last = spans.get(stage, (start, end))
        spans[stage] = [min(first, start), max(last, end)]
    return {stage: (end - start).total_seconds() for stage, (start, end) in spans.items()}


def provinces_file(folder: Path, province_code: str) -> Path:
    """provinces.yml reduced to ``province_code``, with warehouse and national databases of the run's own."""
    document = yaml.safe_load(settings.PROVINCES_FILE.read_text(encoding="utf-8"))
    suffix = os.urandom(4).hex()
    document["provinces"] = [p for p in document["provinces"] if p["code"] == province_code]
    document["provinces"][0]["database"] = f"dti_scale_{suffix}_{province_code}"
    document["national"] = {"database": f"dti_scale_{suffix}_national"}
    path = folder / "provinces.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def measure(scale: float, workers: int, args: argparse.Namespace) -> Measurement:
    with tempfile.TemporaryDirectory(prefix="dti-scale-") as folder:
        root = Path(folder)
        deployment = DemoDeployment(root, provinces_file(root, args.province), args.server_url, args.broker_url,
                                    args.period, dossier_scale=scale, worker_concurrency=workers)
        try:
            with deployment:
                dag_id = deployment.deployment.province(args.province).dag_id
                started = time.monotonic()
                run_id = deployment.trigger(args.province)
                state = deployment.stack.wait_for_run(dag_id, run_id, timeout=args.timeout)
                total = time.monotonic() - started
                stages = stage_seconds(deployment.stack.task_instances(dag_id, run_id))
        finally:
            deployment.drop_databases()
    return Measurement(scale, workers, state, total, stages)


def growth(small: Measurement, large: Measurement) -> dict[str, float]:
    """How much faster than its dossiers each stage grew from ``small`` to ``large``."""
    data_ratio = large.scale / small.scale
    return {stage: (large.stage_seconds[stage] / small.stage_seconds[stage]) / data_ratio
            for stage in STAGES if small.stage_seconds.get(stage) and stage in large.stage_seconds}


def print_report(measurements: list[Measurement]) -> None:
    header = f"{'configuration':<22}{'state':<9}{'total s':>9}" + "".join(f"{stage:>15}" for stage in STAGES)
    print("\nWall time per stage (seconds)")
    print(header)
    for m in measurements:
        print(f"{m.label:<22}{m.state:<9}{m.total_seconds:>9.0f}"
              + "".join(f"{m.stage_seconds.get(stage, float('nan')):>15.1f}" for stage in STAGES))
    baseline = measurements[0]
    print(f"\nRatio to {baseline.label}")
    print(header)
    for m in measurements:
        print(f"{m.label:<22}{m.state:<9}{m.total_seconds / baseline.total_seconds:>9.2f}"
              + "".join(f"{m.stage_seconds.get(stage, float('nan')) / baseline.stage_seconds[stage]:>15.2f}"
                        if baseline.stage_seconds.get(stage) else f"{'':>15}" for stage in STAGES))
    for workers in sorted({m.workers for m in measurements}):
        runs = sorted((m for m in measurements if m.workers == workers), key=lambda m: m.scale)
        if len(runs) < 2:
            continue
        grew = growth(runs[0], runs[-1])
        print(f"\nGrowth per dossier, {runs[0].label} -> {runs[-1].label} (1.00 keeps pace with the data)")
        for stage, factor in grew.items():
            print(f"  {stage:<15}{factor:>6.2f}")
        worst = max(grew, key=grew.get)
        verdict = "grows faster than its data" if grew[worst] > 1 else "grows no faster than its data"
        print(f"  -> {worst} {verdict} ({grew[worst]:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,4,16", help="Dossier volumes, comma-separated (1 = the demo's).")
    parser.add_argument("--workers", default="1,2", help="Tasks a Celery worker runs at once, comma-separated.")
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--province", default=None, help="Province code (default: the first of provinces.yml).")
    parser.add_argument("--server-url", default=os.environ.get("DTI_TEST_DATABASE_URL",
                                                               "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--broker-url", default=os.environ.get("DTI_TEST_BROKER_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--timeout", type=float, default=7200, help="Seconds one run may take.")
    args = parser.parse_args()
    os.environ["DTI_DATABASE_URL"] = args.server_url
    args.province = args.province or load_deployment().default.code

    measurements = []
    for workers in (int(value) for value in args.workers.split(",")):
        for scale in (float(value) for value in args.scales.split(",")):
            print(f"running {scale:g}x with {workers} worker(s) ...", flush=True)
            measurements.append(measure(scale, workers, args))
            done = measurements[-1]
            stages = ", ".join(f"{stage} {seconds:.0f}" for stage, seconds in done.stage_seconds.items())
            print(f"  {done.state} in {done.total_seconds:.0f} s ({stages})", flush=True)
    print_report(measurements)


if __name__ == "__main__":
    main()
