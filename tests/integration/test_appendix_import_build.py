"""An appendix imported into the catalog changes what stands behind the province's DTI, with no code
change: the same hand-written rows (tests/scoring_data.py) built on a copy of the project after
`dti catalog import` of the test fixture, against the shared build of the shipped catalog."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from dti import settings
from dti.catalog.importer import import_appendix
from tests.scoring_data import PERIOD_2023, PERIOD_2026, two_periods_built

FIXTURE = Path(__file__).parents[1] / "fixtures" / "appendix" / "phu_luc_405_tep_mau.xlsx"
COVERAGE = ("select official_component_count, components_measured, components_official_measured, "
            "components_proxy_measured, components_awaiting, is_estimate, dti_score, dti_score_lowest, "
            "dti_score_highest from marts.fct_dti_scores where period = %s and scope_type = 'province'")


@pytest.fixture(scope="module")
def imported_url(postgres_server_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("appendix-build")
    project = folder / "dbt_project"
    shutil.copytree(settings.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    import_appendix(FIXTURE, "405", project / "seeds" / "catalog")
    with two_periods_built(postgres_server_url, folder, project) as url:
        yield url


def one(url: str, sql: str, params: tuple) -> dict:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cursor:
        [row] = cursor.execute(sql, params).fetchall()
        return row


def test_the_imported_appendix_shows_in_the_coverage_of_its_framework_only(imported_url, two_period_marts_url):
    shipped, imported = (one(url, COVERAGE, (PERIOD_2026,)) for url in (two_period_marts_url, imported_url))

    # the fixture's rows 1.1, 1.4 and 6.2 take over the proxies of the same name (measured as before, now by
    # their official definition); its 6.1 links to no proxy and awaits the Ministry's value
    assert shipped["components_official_measured"] == 0
    assert imported["components_official_measured"] == 3
    assert imported["components_proxy_measured"] == shipped["components_proxy_measured"] - 3
    assert imported["components_measured"] == shipped["components_measured"]
    assert imported["components_awaiting"] == shipped["components_awaiting"] + 1
    assert imported["official_component_count"] == 47 and imported["is_estimate"] is True
    assert imported["dti_score_lowest"] <= imported["dti_score"] <= imported["dti_score_highest"]
    # 922's period is scored as before
    assert one(imported_url, COVERAGE, (PERIOD_2023,)) == one(two_period_marts_url, COVERAGE, (PERIOD_2023,))


def test_official_components_carry_their_provenance_into_the_marts(imported_url):
    with psycopg.connect(imported_url) as conn:
        provenance = dict(conn.execute(
            "select component_code, provenance from marts.fct_component_scores "
            "where period = %s and scope_type = 'province'", (PERIOD_2026,)).fetchall())
        appendices = conn.execute("select framework_version, file_name from reference.dti_catalog_appendices"
                                  ).fetchall()
    assert {code: provenance[code] for code in ("1.1", "1.4", "6.1", "6.2")} == dict.fromkeys(
        ("1.1", "1.4", "6.1", "6.2"), "official")
    # the shipped proxy numbered 6.1 gives way to the appendix's 6.1 and keeps its place as T6.1
    assert provenance["T6.1"] == "provincial_proxy"
    assert appendices == [("405", FIXTURE.name)]
