"""Two provinces in one deployment (tests/fixtures/provinces: Bắc Ninh and the made-up Thử Nghiệm)
land, validate and score side by side on one server: each province's database holds only its own
units, files and scores, a file naming the other province's unit is set aside, each keeps its own
GX suites and Data Docs, and the national roll-up holds both provinces' published DTI.

The stages are driven through the same functions the DAG tasks call (tests/test_dag_integrity.py
checks that each province's DAG binds its tasks to these configurations)."""

from __future__ import annotations

import csv
import json
import shutil
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from dti import audit, national, settings, warehouse
from dti.dbt_invocation import dbt_failure, invoke_dbt
from dti.landing.submissions import land_submissions
from dti.provinces import Deployment, Province, load_deployment
from dti.quality import gates
from dti.sources.inbox import SUBMISSIONS, list_inbox
from dti.sources.submission_template import submission_rules
from tests.helpers import TWO_PROVINCES, filled_template, quarantined_files

pytestmark = pytest.mark.integration
PERIOD = "2026-Q3"
RUN_ID = "isolation-run"
# The units that send a workbook in each province; Bắc Ninh also receives one from a unit of the other.
SENDERS = {"bac_ninh": ("SKHCN", "X07246"), "thu_nghiem": ("TNKHCN", "X99901")}
STRAY = ("thu_nghiem", "TNNV", "bac_ninh")


def unit_codes(province: Province) -> set[str]:
    with province.reporting_units_seed.open(encoding="utf-8", newline="") as handle:
        return {row["unit_code"] for row in csv.DictReader(handle)}


def rows(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


@pytest.fixture(autouse=True)
def on_the_test_server(postgres_server_url, monkeypatch):
    """The provinces' databases are on the test server, as DTI_DATABASE_URL tells the tasks."""
    monkeypatch.setenv("DTI_DATABASE_URL", postgres_server_url)


@pytest.fixture(scope="module")
def deployment(two_province_project, postgres_server_url, tmp_path_factory) -> Deployment:
    """The fixture's two provinces with databases of their own for this run and folders under tmp."""
    configured = load_deployment(TWO_PROVINCES)
    run = uuid.uuid4().hex[:8]
    root = tmp_path_factory.mktemp("provinces")
    provinces = tuple(
        replace(province, database=f"dti_test_{run}_{province.code}", inbox_url=str(root / province.code / "inbox"),
                archive_dir=root / province.code / "archive", output_dir=root / province.code / "output")
        for province in configured.provinces)
    yield replace(configured, provinces=provinces, national_database=f"dti_test_{run}_national")
    for name in (*(province.database for province in provinces), f"dti_test_{run}_national"):
        warehouse.drop_database(postgres_server_url, name)


@pytest.fixture(scope="module")
def expectations_copy(tmp_path_factory) -> Path:
    """A copy of the project's GX context, so the test province's suites stay out of the repository."""
    copy = tmp_path_factory.mktemp("gx") / "expectations"
    shutil.copytree(settings.EXPECTATIONS_DIR, copy, ignore=shutil.ignore_patterns("uncommitted"))
    return copy


@pytest.fixture(scope="module")
def scored(deployment, two_province_project, postgres_server_url, expectations_copy, tmp_path_factory) -> Deployment:
    """Both provinces run through land -> validate raw -> dbt build -> record what is published,
    then the national roll-up."""
    by_code = {province.code: province for province in deployment.provinces}
    for code, senders in SENDERS.items():
        for unit in senders:
            write_workbook(by_code[code], unit, by_code[code])
    from_province, unit, to_province = STRAY
    write_workbook(by_code[to_province], unit, by_code[from_province])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DTI_DATABASE_URL", postgres_server_url)
        patch.setattr(settings, "EXPECTATIONS_DIR", expectations_copy)
        folder = tmp_path_factory.mktemp("dbt")
        patch.setenv("DBT_TARGET_PATH", str(folder / "target"))
        patch.setenv("DBT_LOG_PATH", str(folder / "logs"))
        for province in deployment.provinces:
            run_province(province, postgres_server_url, two_province_project)
        national.roll_up(postgres_server_url, deployment.national_database, deployment.provinces)
    return deployment


def write_workbook(inbox_of: Province, unit_code: str, unit_of: Province) -> None:
    folder = Path(inbox_of.inbox_url) / SUBMISSIONS / PERIOD
    folder.mkdir(parents=True, exist_ok=True)
    filled_template(unit_code, PERIOD, unit_of).save(folder / f"{unit_code}.xlsx")


def run_province(province: Province, server_url: str, dbt_project: Path) -> None:
    url = warehouse.ensure_database(server_url, province.database)
    assert url == province.warehouse_url()
    warehouse.ensure_schemas(url)
    files = list_inbox(province.inbox_url, SUBMISSIONS, PERIOD)
    land_submissions(url, files, PERIOD, province.archive_dir, settings.MAX_SUBMISSION_BYTES,
                     submission_rules(PERIOD, province))
    # Only the units' submissions are landed here: the other scored sources are allowed to be missing.
    gates.validate_raw(url, PERIOD, RUN_ID, province,
                       allowed_missing_sources=["certificates", "population", "dossiers"])
    built = invoke_dbt(url, ["build"], dbt_project, province=province)
    assert built.success, f"{province.code}: {dbt_failure(built)}"
    with psycopg.connect(url) as conn:
        audit.record_published_scores(conn, RUN_ID, PERIOD, province.code)


def test_each_province_database_holds_only_its_own_units_files_and_scores(scored):
    for province in scored.provinces:
        url, own_units = province.warehouse_url(), unit_codes(province)
        assert {code for (code,) in rows(url, "select unit_code from reference.reporting_units")} == own_units
        landed = rows(url, "select file_name, unit_code from raw.landed_files where status = 'landed' order by 1")
        assert landed == [(f"{unit}.xlsx", unit) for unit in sorted(SENDERS[province.code])]
        reported = {code for (code,) in rows(url, "select distinct unit_code from raw.self_assessment_rows")}
        assert reported == set(SENDERS[province.code])
        scopes = rows(url, "select scope_type, scope_code, name_vi from marts.fct_dti_scores where period = %s",
                      (PERIOD,))
        assert {code for kind, code, _ in scopes if kind == "unit"} == own_units
        assert [name for kind, _, name in scopes if kind == "province"] == [province.name_vi]
    bac_ninh, thu_nghiem = scored.provinces
    assert not unit_codes(bac_ninh) & unit_codes(thu_nghiem)


def test_a_workbook_of_another_province_s_unit_is_set_aside_not_scored(scored):
    from_code, unit, to_code = STRAY
    receiving = next(p for p in scored.provinces if p.code == to_code)
    with psycopg.connect(receiving.warehouse_url()) as conn:
        quarantined = quarantined_files(conn, PERIOD)
    assert [item["file_name"] for item in quarantined] == [f"{unit}.xlsx"]
    assert unit in quarantined[0]["reason"]
    sender = next(p for p in scored.provinces if p.code == from_code)
    assert rows(sender.warehouse_url(), "select count(*) from raw.landed_files") == [(len(SENDERS[from_code]),)]


def test_each_province_keeps_its_own_suites_and_data_docs(scored, expectations_copy):
    for province in scored.provinces:
        suite = json.loads((expectations_copy / "provinces" / province.code / "expectations" /
                            "raw_self_assessment_rows.json").read_text(encoding="utf-8"))
        listed = next(e["kwargs"]["value_set"] for e in suite["expectations"]
                      if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == "unit_code")
        assert set(listed) == unit_codes(province)
        docs = expectations_copy / "uncommitted" / "provinces" / province.code / "data_docs" / "local_site"
        assert (docs / "index.html").is_file()


def test_the_national_roll_up_holds_each_province_s_published_dti(scored, postgres_server_url):
    national_url = settings.database_on_server(postgres_server_url, scored.national_database)
    rolled_up = rows(national_url, "select province_code, province_name_vi, dti_score, run_id, main_index_values, "
                                   "coverage from national.province_dti_scores where period = %s order by 1", (PERIOD,))
    assert [(code, name, run) for code, name, _, run, _, _ in rolled_up] == [
        (province.code, province.name_vi, RUN_ID) for province in scored.provinces]
    for (_, _, dti_score, _, main_indices, coverage), province in zip(rolled_up, scored.provinces, strict=True):
        [(scored_dti, lowest, highest)] = rows(
            province.warehouse_url(), "select dti_score, dti_score_lowest, dti_score_highest from marts.fct_dti_scores "
                                      "where period = %s and scope_type = 'province'", (PERIOD,))
        assert dti_score == scored_dti
        assert main_indices and all(0 <= value <= 1 for value in main_indices.values())
        # what stands behind it travels with it: the shipped catalog has no official row, so an estimate
        assert coverage["is_estimate"] is True
        assert (coverage["dti_score_lowest"], coverage["dti_score_highest"]) == pytest.approx(
            (float(lowest), float(highest)))
        assert coverage["components_official_measured"] == 0 < coverage["components_measured"]
    # Rolling up again changes nothing: only a later publication replaces a province's row.
    again = national.roll_up(postgres_server_url, scored.national_database, scored.provinces)
    assert again == {province.code: 0 for province in scored.provinces}


def test_the_roll_up_refuses_a_warehouse_holding_another_province_s_scores(scored, postgres_server_url):
    bac_ninh, thu_nghiem = scored.provinces
    misconfigured = replace(thu_nghiem, database=bac_ninh.database)
    with pytest.raises(national.ProvinceDataMismatch, match="holds scores published for bac_ninh"):
        national.roll_up(postgres_server_url, scored.national_database, [misconfigured])
