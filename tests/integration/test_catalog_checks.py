"""The catalog's dbt checks fail a catalog that claims more than its sources say: a component marked
official without a loaded Ministry appendix, or more components than the decision defines. Each
case changes one seed of a copy of the project and builds the catalog seeds and that check."""

from __future__ import annotations

import csv
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from dti import settings, warehouse
from dti.dbt_invocation import invoke_dbt

COMPONENTS = Path("seeds") / "catalog" / "dti_components.csv"
CATALOG_SEEDS = ["dti_framework_versions", "dti_main_indices", "dti_components", "dti_catalog_appendices"]


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def claim_official_without_appendix(rows: list[dict]) -> list[dict]:
    rows[0].update(provenance="official", appendix_ref="0123456789ab")
    return rows


def crowd_a_main_index(rows: list[dict]) -> list[dict]:
    """922's awareness holds 10 official components; give it 11 proxies of 0 points."""
    template = next(row for row in rows if row["framework_version"] == "922" and row["main_index_code"] == "awareness")
    extra = [dict(template, component_code=f"1.{number}", indicator_key=f"extra_awareness_{number}", max_points="0")
             for number in range(20, 31)]
    return rows + extra


@pytest.fixture()
def catalog_database(postgres_server_url):
    name = f"dti_test_{uuid.uuid4().hex[:12]}"
    url = warehouse.ensure_database(postgres_server_url, name)
    yield url
    warehouse.drop_database(postgres_server_url, name)


def build_check(url: str, project: Path, check: str):
    # cautious: tests of the seeds that also read a seed not built here stay out
    return invoke_dbt(url, ["build", "--indirect-selection", "cautious", "--select", *CATALOG_SEEDS, check], project)


@pytest.mark.parametrize(("change", "check"), [
    (claim_official_without_appendix, "assert_official_components_come_from_a_loaded_appendix"),
    (crowd_a_main_index, "assert_catalogs_fit_the_official_structure"),
])
def test_a_catalog_claiming_more_than_its_sources_fails_its_check(
        change: Callable[[list[dict]], list[dict]], check: str, catalog_database, tmp_path, monkeypatch):
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    project = tmp_path / "dbt_project"
    shutil.copytree(settings.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))

    shipped = build_check(catalog_database, project, check)
    assert shipped.success, [(r.node.name, r.message) for r in shipped.result.results
                             if str(r.status) not in ("success", "pass")]
    columns, rows = read_rows(project / COMPONENTS)
    assert not any(row["provenance"] == "official" for row in rows), "nothing is official before an appendix"
    write_rows(project / COMPONENTS, columns, change(rows))
    changed = build_check(catalog_database, project, check)

    failed = [result.node.name for result in changed.result.results if str(result.status) == "fail"]
    assert not changed.success and check in failed
