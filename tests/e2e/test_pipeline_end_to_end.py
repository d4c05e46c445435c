"""The real DAG on demo data, run twice through `dti run`: the published DTI equals the marts and an
independent recomputation from the landed rows; the damaged file is quarantined; nothing doubles."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from dti import settings
from dti.demo.submissions import RESUBMISSION_SUFFIX

pytestmark = pytest.mark.e2e
PERIOD = "2026-Q3"
SEED_DIR = settings.DBT_PROJECT_DIR / "seeds"
# Files and API pages received, and the rows they hold: a second run must add none of them.
ROW_COUNTS = ("select (select count(*) from raw.self_assessment_rows), (select count(*) from raw.signature_certificates), "
              "(select count(*) from raw.adult_population), (select count(*) from raw.dossier_records), "
              "(select count(*) from raw.landed_files), "
              "(select count(*) from quarantine.rejected_files), (select count(*) from quarantine.rejected_rows)")


def run_cli(database_url: str, state: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DTI_DATABASE_URL": database_url, "DTI_STATE_DIR": str(state / "state"),
           "DTI_OUTPUT_DIR": str(state / "output"), "COLUMNS": "200"}
    return subprocess.run([str(Path(sys.executable).with_name("dti")), "run", "--period", PERIOD],
                          env=env, capture_output=True, text=True, timeout=1200)


def printed_dti(output: str) -> str:
    match = re.search(rf"Province DTI {PERIOD}: (\d\.\d{{4}})", output)
    assert match, output
    return match.group(1)


def read_seed(name: str) -> list[dict]:
    with (SEED_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def recompute_province_dti(conn: psycopg.Connection) -> float:
    """DTI = Σ component points / 1000, each component scored on the province's Σ numerator / Σ
    denominator over the latest landed submission of every unit — written here without dbt."""
    rows = pd.DataFrame(conn.execute(
        "select r.unit_code, r.component_code, r.numerator::float8, r.denominator::float8, r._loaded_at, r._batch_id "
        "from raw.self_assessment_rows r join raw.landed_files f on f.file_sha256 = r._file_sha256 "
        "where f.status = 'landed' and r.period = %s", (PERIOD,)).fetchall(),
        columns=["unit_code", "component_code", "numerator", "denominator", "loaded_at", "batch_id"])
    latest = rows.sort_values(["loaded_at", "batch_id"]).groupby("unit_code")["batch_id"].last()
    rows = rows[rows["batch_id"].isin(latest.values)].dropna(subset=["numerator", "denominator"])
    unit_scope = {u["unit_code"]: ("department" if u["unit_type"] == "department" else "commune")
                  for u in read_seed("reporting_units.csv")}
    catalog = {c["component_code"]: c for c in read_seed("dti_components.csv")}
    rows = rows[[catalog[c]["reported_by"] in ("all", unit_scope[u]) for u, c in zip(rows["unit_code"], rows["component_code"])]]
    totals = rows.groupby("component_code")[["numerator", "denominator"]].sum()
    points = 0.0
    for code, component in catalog.items():
        if code in totals.index and totals.loc[code, "denominator"] > 0:
            rate = totals.loc[code, "numerator"] / totals.loc[code, "denominator"]
            points += min(rate / float(component["target_rate"]), 1.0) * float(component["max_points"])
    return points / 1000


def test_make_run_publishes_the_dti_the_marts_and_a_recomputation_agree_on(database_url, tmp_path):
    first = run_cli(database_url, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr

    report = tmp_path / "output" / "reports" / PERIOD / "index.html"
    assert f"Report: {report}" in first.stdout
    html = report.read_text(encoding="utf-8")
    report_dti = re.search(r'id="province-dti">\s*([0-9.]+)\s*<', html).group(1)

    with psycopg.connect(database_url) as conn:
        mart_dti = conn.execute("select dti_score::float8 from marts.fct_dti_scores "
                                "where period = %s and scope_type = 'province'", (PERIOD,)).fetchone()[0]
        recomputed = recompute_province_dti(conn)
        assert 0 < mart_dti < 1
        assert mart_dti == pytest.approx(recomputed, abs=1e-9)
        assert report_dti == printed_dti(first.stdout) == f"{mart_dti:.4f}"

        # The damaged workbook is quarantined with a reason naming it; every other unit is scored.
        quarantined = conn.execute("select file_name, reason from quarantine.rejected_files where period = %s",
                                   (PERIOD,)).fetchall()
        assert len(quarantined) == 1 and quarantined[0][0] in quarantined[0][1]
        inbox_files = list((tmp_path / "state" / "inbox" / "submissions" / PERIOD).glob("*.xlsx"))
        submitted = conn.execute("select count(*) from marts.fct_dti_scores where period = %s "
                                 "and submission_status = 'submitted'", (PERIOD,)).fetchone()[0]
        units_sending = {p.stem.removesuffix(RESUBMISSION_SUFFIX) for p in inbox_files}
        assert submitted == len(units_sending) - 1
        assert quarantined[0][0] in html
        assert "Phường Đa Mai" in html or "Xã Xuân Lương" in html
        counts_before = conn.execute(ROW_COUNTS).fetchone()
        assert all(count > 0 for count in counts_before[:4]), counts_before

    second = run_cli(database_url, tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert printed_dti(second.stdout) == printed_dti(first.stdout)
    with psycopg.connect(database_url) as conn:
        counts_after = conn.execute(ROW_COUNTS).fetchone()
    assert counts_after == counts_before
    assert (tmp_path / "output" / "reports" / "latest" / "index.html").resolve() == report.resolve()
