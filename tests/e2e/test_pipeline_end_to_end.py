"""The real DAG on demo data, run twice through `dti run`: the published DTI equals the marts and an
independent recomputation from the landed rows, with what stands behind it; the damaged file is
quarantined; the national roll-up holds the published DTI. The second run, with a model made to
fail, lands nothing twice, stops at that model's task and leaves the marts' DTI and the report as
they were."""

from __future__ import annotations

from collections import defaultdict

import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import psycopg
import pytest

from dti import settings, warehouse
from dti.dbt_manifest import MANIFEST
from dti.demo.submissions import RESUBMISSION_SUFFIX
from tests.helpers import PROVINCE, project_with_test_province, provinces_file_with_database, sheet_records

pytestmark = pytest.mark.e2e
PERIOD = "2026-Q3"
SEED_DIR = settings.DBT_PROJECT_DIR / "seeds"
# Files and API pages received, and the rows they hold: a second run must add none of them.
ROW_COUNTS = ("select (select count(*) from raw.self_assessment_rows), "
              "(select count(*) from raw.signature_certificates), "
              "(select count(*) from raw.adult_population), (select count(*) from raw.dossier_records), "
              "(select count(*) from raw.landed_files), "
              "(select count(*) from quarantine.rejected_files), (select count(*) from quarantine.rejected_rows)")


@pytest.fixture()
def deployment(database_url, postgres_server_url, tmp_path):
    """The project's provinces.yml with Bắc Ninh's warehouse in this test's database and a national
    database of the test's own."""
    database = settings.PostgresParams.from_url(database_url).dbname
    path = provinces_file_with_database(tmp_path, database)
    yield path, settings.database_on_server(postgres_server_url, f"{database}_national")
    warehouse.drop_database(postgres_server_url, f"{database}_national")


def run_cli(server_url: str, provinces_file: Path, state: Path, *args: str,
            project: Path = settings.PROJECT_ROOT) -> subprocess.CompletedProcess:
    # A narrow terminal: what the run prints must stay whole on its lines all the same.
    env = {**os.environ, "DTI_DATABASE_URL": server_url, "DTI_PROVINCES_FILE": str(provinces_file),
           "DTI_STATE_DIR": str(state / "state"), "DTI_OUTPUT_DIR": str(state / "output"), "COLUMNS": "60",
           "DTI_HOME": str(project)}
    return subprocess.run([str(Path(sys.executable).with_name("dti")), *(args or ("run", "--period", PERIOD))],
                          env=env, capture_output=True, text=True, timeout=1200)


def project_with_a_failing_model(folder: Path, model: str) -> Path:
    """A copy of the project whose dbt ``model`` fails when dbt builds it (a division by zero),
    with its manifest parsed again."""
    project = folder / "failing-project"
    for part in ("dags", "expectations"):
        shutil.copytree(settings.PROJECT_ROOT / part, project / part,
                        ignore=shutil.ignore_patterns("uncommitted", "__pycache__"))
    project_with_test_province(project)
    (project / "dbt_project" / "models" / "marts" / f"{model}.sql").write_text(
        "-- made to fail by the end-to-end test\nselect 1 / 0 as dti_score\n", encoding="utf-8")
    return project


def printed_dti(output: str) -> str:
    match = re.search(rf"Province DTI {PERIOD}(?: \(estimate\))?: (\d\.\d{{4}})", output)
    assert match, output
    return match.group(1)


def read_seed(name: str) -> list[dict]:
    """A seed of the shared catalog ('catalog/…') or of the province's own folder ('reporting_units.csv')."""
    folder = SEED_DIR if "/" in name else PROVINCE.seeds_dir
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def frame(conn: psycopg.Connection, query: str, columns: list[str], params: tuple = ()) -> pd.DataFrame:
    return pd.DataFrame(conn.execute(query, params).fetchall(), columns=columns)


def points_for(rule: str, value: float | None, target: str, max_points: float,
               tiers: list[tuple[float, float]]) -> float:
    """The catalog's scoring rules, as DTI.md and the catalog describe them."""
    if value is None or pd.isna(value):
        return 0.0
    if rule in ("ratio", "count_capped"):
        return min(max(value, 0) / float(target), 1.0) * max_points
    if rule == "boolean":
        return max_points if value >= 1 else 0.0
    if rule == "yes_partial_no":
        return max_points if value >= 1 else max_points / 2 if value >= 0.5 else 0.0
    if rule == "categorical":  # the value is the answer's share of the points
        return min(max(value, 0), 1) * max_points
    reached = [points for low, points in tiers if low <= value]
    return min(max(reached), max_points) if reached else 0.0


def recompute_province_dti(conn: psycopg.Connection) -> float:
    """The province's DTI for PERIOD written here without dbt: the 405 framework's components,
    each valued from its source (the units' latest landed submissions aggregated as the catalog
    says, the dossiers' latest versions, the certificate registers against the adult
    population, the Ministry's latest value), scored by its rule; each main index valued on its
    components measured (one awaiting the Ministry's value left out); Σ value × max points / 1000."""
    year = int(PERIOD[:4])
    version = next(v["framework_version"] for v in read_seed("catalog/dti_framework_versions.csv")
                   if int(v["valid_from_year"]) <= year <= int(v["valid_to_year"] or 9999))
    components = [c for c in read_seed("catalog/dti_components.csv") if c["framework_version"] == version]
    tiers = [t for t in read_seed("catalog/dti_component_tiers.csv") if t["catalog_code"] == version]

    rows = frame(conn, "select r.unit_code, r.component_code, r.numerator::float8, r.denominator::float8, "
                       "r.reported_value::float8, r._loaded_at, r._batch_id from raw.self_assessment_rows r "
                       "join raw.landed_files f on f.file_sha256 = r._file_sha256 "
                       "where f.status = 'landed' and r.period = %s",
                 ["unit_code", "component_code", "numerator", "denominator", "reported_value", "loaded_at", "batch_id"],
                 (PERIOD,))
    latest = rows.sort_values(["loaded_at", "batch_id"]).groupby("unit_code")["batch_id"].last()
    rows = rows[rows["batch_id"].isin(latest.values)]
    start, end = pd.Period(PERIOD, "Q").start_time.date(), pd.Period(PERIOD, "Q").end_time.date()
    dossiers = frame(conn, "select distinct on (dossier_id) channel, full_process, "
                           "(filed_at at time zone 'Asia/Ho_Chi_Minh')::date from raw.dossier_records "
                           "order by dossier_id, updated_at desc", ["channel", "full_process", "filed_on"])
    dossiers = dossiers[(dossiers["filed_on"] >= start) & (dossiers["filed_on"] <= end)]
    holders = conn.execute(
        "select count(distinct c.holder_pseudonym) from raw.signature_certificates c "
        "join raw.landed_files f on f.file_sha256 = c._file_sha256 and f.period = %s "
        "where c.holder_type = 'personal' and c.status = 'active' and c.issued_on <= %s and c.expires_on > %s",
        (PERIOD, end, end)).fetchone()[0]
    population = conn.execute("select sum(adult_population) from raw.adult_population where year = "
                              "(select max(year) from raw.adult_population where year <= %s)", (year,)).fetchone()[0]
    ministry = dict(conn.execute(
        "select distinct on (m.component_code) m.component_code, m.value::float8 from raw.ministry_component_values m "
        "join raw.landed_files f on f.file_sha256 = m._file_sha256 and f.status = 'landed' where m.period = %s "
        "order by m.component_code, m._loaded_at desc, m._batch_id desc", (PERIOD,)).fetchall())

    main_index_points = {m["main_index_code"]: float(m["max_points"])
                         for m in read_seed("catalog/dti_main_indices.csv") if m["framework_version"] == version}
    earned, measured_max = defaultdict(float), defaultdict(float)
    for component in components:
        if component["value_source"] == "procedure_system":
            online = (dossiers["channel"] == "online") & dossiers["full_process"]
            value = online.sum() / len(dossiers) if len(dossiers) else None
        elif component["value_source"] == "signature_certificates":
            value = holders / float(population) if population else None
        elif component["value_source"] == "ministry":
            value = ministry.get(component["component_code"])
        else:
            reported = rows[rows["component_code"] == component["source_component_code"]]
            value = {
                "ratio_of_sums": lambda r: (r.dropna(subset=["numerator", "denominator"])["numerator"].sum()
                                            / r.dropna(subset=["numerator", "denominator"])["denominator"].sum()
                                            if r.dropna(subset=["numerator", "denominator"])["denominator"].sum()
                                            else None),
                "mean": lambda r: r["reported_value"].mean() if r["reported_value"].notna().any() else None,
                "sum": lambda r: r["reported_value"].sum() if r["reported_value"].notna().any() else None,
                "single": lambda r: r["reported_value"].max() if r["reported_value"].notna().any() else None,
            }[component["province_aggregation"]](reported)
        if value is None and component["value_source"] == "ministry":
            continue  # awaiting the Ministry: not a 0
        earned[component["main_index_code"]] += points_for(
            component["scoring_rule"], value, component["target_value"], float(component["max_points"]),
            [(float(t["min_value"]), float(t["points"])) for t in tiers
             if t["component_code"] == component["component_code"]])
        measured_max[component["main_index_code"]] += float(component["max_points"])
    return sum(earned[code] / measured_max[code] * max_points
               for code, max_points in main_index_points.items() if measured_max[code]) / 1000


def test_make_run_publishes_the_dti_the_marts_and_a_recomputation_agree_on(database_url, postgres_server_url,
                                                                           deployment, tmp_path):
    provinces_file, national_url = deployment
    # A small demo: size does not matter here (bench/ measures it), every source's path does.
    made = run_cli(postgres_server_url, provinces_file, tmp_path, "demo-data", "--period", PERIOD,
                   "--scale", "0.02", "--population-scale", "0.02")
    assert made.returncode == 0, made.stdout + made.stderr
    first = run_cli(postgres_server_url, provinces_file, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr

    # Every file of the province is in its own folder: output/<code>/, the inbox's <code>/.
    report = tmp_path / "output" / PROVINCE.code / "reports" / PERIOD / "index.html"
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

        # What stands behind the DTI, the same in the marts, the report (both languages), the workbook and the
        # console: the shipped catalog holds no official component, so an estimate with its coverage and range.
        (lowest, highest, measured, proxies, awaiting, rank_best, rank_worst) = conn.execute(
            "select d.dti_score_lowest::float8, d.dti_score_highest::float8, d.components_measured, "
            "d.components_proxy_measured, d.components_awaiting, p.rank_range_best, p.rank_range_worst "
            "from marts.fct_dti_scores d join marts.rpt_peer_rank p using (period) "
            "where d.period = %s and d.scope_type = 'province'", (PERIOD,)).fetchone()
        assert lowest < mart_dti < highest and measured == proxies and awaiting == 1  # the survey comes later
        assert "(ước tính)" in html
        assert f"Khoảng giá trị: <strong>{lowest:.4f} – {highest:.4f}</strong>" in html
        assert f"Đo được <strong>{measured}/47</strong> chỉ số thành phần của bộ chỉ số chính thức: 0 theo" in html
        assert f"Thứ hạng ước tính trong cả nước: <strong>{rank_best}–{rank_worst}</strong>" in html
        english = report.with_name("index.en.html").read_text(encoding="utf-8")
        assert "(estimate)" in english and f"Measured <strong>{measured} of 47</strong>" in english
        assert f"range {lowest:.4f}–{highest:.4f}; {measured} of the framework's 47" in first.stdout
        [summary] = sheet_records(openpyxl.load_workbook(report.parent / f"dti-{PERIOD}.xlsx")["Tổng hợp DTI"])
        assert summary["DTI thấp nhất (thành phần chưa đo đạt 0 điểm)"] == pytest.approx(lowest)
        assert summary["DTI cao nhất (thành phần chưa đo đạt tối đa)"] == pytest.approx(highest)
        assert (summary["Chỉ số thành phần đo được"], summary["Số chỉ số thành phần chính thức"]) == (measured, 47)

        # The damaged workbook is quarantined with a reason naming it; every other unit is scored.
        quarantined = conn.execute("select file_name, reason from quarantine.rejected_files where period = %s",
                                   (PERIOD,)).fetchall()
        assert len(quarantined) == 1 and quarantined[0][0] in quarantined[0][1]
        inbox_files = list((tmp_path / "state" / "inbox" / PROVINCE.code / "submissions" / PERIOD).glob("*.xlsx"))
        submitted = conn.execute("select count(*) from marts.fct_dti_scores where period = %s "
                                 "and submission_status in ('on_time', 'late')", (PERIOD,)).fetchone()[0]
        # every unit of the units seed has a score; the target-progress and levers reports are built
        units = conn.execute("select count(*) from marts.fct_dti_scores where period = %s and scope_type = 'unit'",
                             (PERIOD,)).fetchone()[0]
        assert units == len(read_seed("reporting_units.csv"))
        targets = conn.execute("select count(*) from marts.rpt_target_progress where period = %s",
                               (PERIOD,)).fetchone()[0]
        assert targets == len(read_seed("province_targets.csv"))
        units_sending = {p.stem.removesuffix(RESUBMISSION_SUFFIX) for p in inbox_files}
        assert submitted == len(units_sending) - 1
        assert quarantined[0][0] in html
        # What the run printed of the units is what the report counts.
        counted = re.search(r'id="units-counted">[^<]*?: (\d+) / (\d+)', html)
        printed = re.search(r"publish +success +(\d+) of (\d+) units scored", first.stdout)
        assert counted and printed, first.stdout
        assert printed.groups() == counted.groups() == (str(submitted), str(units))
        assert "Phường Đa Mai" in html or "Xã Xuân Lương" in html
        for target in read_seed("province_targets.csv"):
            assert target["name_vi"] in html
        # the estimated rank and the first improvement lever, as the marts give them
        rank = conn.execute("select estimated_rank from marts.rpt_peer_rank where period = %s", (PERIOD,)).fetchone()[0]
        assert f"tỉnh đứng <strong>thứ {rank}</strong>" in html
        lever = conn.execute("select name_vi from marts.rpt_improvement_levers where period = %s and lever_rank = 1",
                             (PERIOD,)).fetchone()[0]
        assert lever in html[html.index('id="levers"'):]
        # The run's one dbt build is in the audit trail, every node of it (as dbt_build returned them).
        built = conn.execute("select count(*), count(distinct invocation_id), count(*) filter (where status in "
                             "('success', 'pass')) from audit.dbt_results").fetchone()
        manifest = json.loads((settings.DBT_PROJECT_DIR / MANIFEST).read_text(encoding="utf-8"))
        expected = sum(node["resource_type"] in ("seed", "model", "test") for node in manifest["nodes"].values())
        expected += len(manifest["unit_tests"]) + len(manifest["exposures"])
        assert built[:2] == (expected, 1) and built[2] == expected - len(manifest["exposures"])
        counts_before = conn.execute(ROW_COUNTS).fetchone()
        assert all(count > 0 for count in counts_before[:4]), counts_before
    # The national roll-up, which the province's publication triggers, holds the published DTI.
    assert f"National roll-up {PERIOD}: 1 provinces" in first.stdout
    with psycopg.connect(national_url) as conn:
        rolled_up = conn.execute("select province_code, dti_score from national.province_dti_scores "
                                 "where period = %s", (PERIOD,)).fetchall()
    assert rolled_up == [(PROVINCE.code, mart_dti)]

    # The run's Data Docs are published where the report's link points (reports/<period>/../../quality).
    assert (tmp_path / "output" / PROVINCE.code / "quality" / "index.html").is_file()
    # The letters to the units are published with the report and linked from the portal: the damaged file's
    # unit has a .docx that Word (and python-docx) opens, naming the file it must send again.
    letters = [docx.Document(path) for path in sorted((report.parent / "letters").glob("*.docx"))]
    assert "reports/latest/letters/index.html" in (tmp_path / "output" / PROVINCE.code / "index.html").read_text(
        encoding="utf-8") and any(cell.text == quarantined[0][0] for letter in letters for table in letter.tables
                                  for row in table.rows for cell in row.cells)

    # Run again with a model dbt fails. Landing the same files again adds nothing; the model's own task
    # fails with dbt's error, nothing after it runs, and the marts and the report stay as they were.
    published = report.read_bytes()
    failing = project_with_a_failing_model(tmp_path, "fct_dti_scores")
    parsed = run_cli(postgres_server_url, provinces_file, tmp_path, "manifest", project=failing)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    second = run_cli(postgres_server_url, provinces_file, tmp_path, project=failing)
    assert second.returncode == 1, second.stdout + second.stderr
    with psycopg.connect(database_url) as conn:
        counts_after = conn.execute(ROW_COUNTS).fetchone()
        kept_dti = conn.execute("select dti_score::float8 from marts.fct_dti_scores "
                                "where period = %s and scope_type = 'province'", (PERIOD,)).fetchone()[0]
    assert counts_after == counts_before
    assert kept_dti == mart_dti
    assert "failed at task transform.fct_dti_scores_model_build" in second.stdout
    assert "division by zero" in second.stdout
    states = dict(sqlite3.connect(tmp_path / "state" / "airflow" / "airflow.db").execute(
        "select task_id, state from task_instance where run_id = (select run_id from dag_run where dag_id = ? "
        "order by start_date desc limit 1)", (PROVINCE.dag_id,)).fetchall())
    assert states["transform.dbt_build"] == "success"  # dbt ran; the node's own task carries its failure
    assert states["transform.fct_dti_scores_model_build"] == "failed"
    assert states["transform.fct_main_index_scores_model_build"] == "success"
    assert states["transform.rpt_target_progress_model_build"] == "upstream_failed"
    assert states["validate_marts"] == states["publish"] == "upstream_failed"
    assert report.read_bytes() == published
    assert (tmp_path / "output" / PROVINCE.code / "reports" / "latest" / "index.html").resolve() == report.resolve()
