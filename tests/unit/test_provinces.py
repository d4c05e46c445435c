"""provinces.yml: each province's configuration, defaults derived from its code, and errors that
name the file, the province and the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dti import settings
from dti.provinces import ProvincesConfigError, default_province, load_deployment
from tests.helpers import TWO_PROVINCES


def write_provinces(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "provinces.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def minimal(**changes) -> dict:
    return {"code": "bac_ninh", "name_vi": "Tỉnh Bắc Ninh", "peer_name": "Bắc Ninh", **changes}


def test_the_project_configures_bac_ninh_with_defaults_derived_from_its_code():
    province = default_province()

    assert (province.code, province.name_vi, province.peer_name) == ("bac_ninh", "Tỉnh Bắc Ninh", "Bắc Ninh")
    assert province.dag_id == "dti_pipeline_bac_ninh"
    assert province.database == "dti_bac_ninh"
    assert province.seeds_dir == settings.DBT_PROJECT_DIR / "provinces" / "bac_ninh"
    assert province.inbox_url == f"{settings.INBOX_ROOT_URL}/bac_ninh"
    assert (province.archive_dir, province.output_dir) == (settings.ARCHIVE_ROOT_DIR / "bac_ninh",
                                                           settings.OUTPUT_ROOT_DIR / "bac_ninh")
    assert province.procedure_api_conn_id == "dti_procedure_api"
    # dbt reads the seed folder relative to its project (see Province.dbt_env)
    assert province.dbt_env() == {"DTI_PGDATABASE": "dti_bac_ninh", "DTI_PROVINCE_SEEDS": "provinces/bac_ninh"}
    # its vars are dbt_project.yml's, with its own names
    assert province.dbt_vars == {**settings.dbt_project_vars(), "dti_province_name_vi": "Tỉnh Bắc Ninh",
                                 "dti_peer_province_name": "Bắc Ninh"}
    assert load_deployment().national_database == "dti_national"


def test_two_provinces_get_their_own_database_folders_connection_seeds_and_vars(two_province_project):
    bac_ninh, thu_nghiem = load_deployment(TWO_PROVINCES).provinces

    assert thu_nghiem.seeds_dir == two_province_project / "provinces" / "thu_nghiem"
    assert thu_nghiem.dbt_env()["DTI_PROVINCE_SEEDS"] == "provinces/thu_nghiem"
    assert thu_nghiem.procedure_api_conn_id == "dti_procedure_api_thu_nghiem"
    assert (thu_nghiem.focal_point_unit_code, thu_nghiem.submission_due_days) == ("TNKHCN", 15)
    assert thu_nghiem.dbt_vars["dti_province_name_vi"] == "Tỉnh Thử Nghiệm"
    assert thu_nghiem.dbt_vars["dti_report_symbol"] == "BC-TNKHCN"
    assert bac_ninh.focal_point_unit_code == "SKHCN"
    for field in ("database", "seeds_dir", "inbox_url", "archive_dir", "output_dir", "procedure_api_conn_id",
                  "dag_id", "published_scores_asset"):
        assert getattr(bac_ninh, field) != getattr(thu_nghiem, field), field


def test_the_provinces_file_comes_from_dti_provinces_file(tmp_path):
    other = write_provinces(tmp_path, {"provinces": [minimal(database="dti_other")]})
    environment = {**os.environ, "DTI_PROVINCES_FILE": str(other)}
    printed = subprocess.run(
        [sys.executable, "-c", "from dti.provinces import default_province; print(default_province().database)"],
        env=environment, capture_output=True, text=True, check=True).stdout
    assert printed.strip() == "dti_other"


def test_an_unknown_province_names_the_configured_ones(two_province_project):
    with pytest.raises(ProvincesConfigError,
                       match=r"provinces\.yml: no province 'ha_noi'; configured: bac_ninh, thu_nghiem"):
        load_deployment(TWO_PROVINCES).province("ha_noi")


def test_a_missing_file_names_the_file_and_the_variable(tmp_path):
    with pytest.raises(ProvincesConfigError, match=f"{tmp_path / 'absent.yml'}: .*DTI_PROVINCES_FILE"):
        load_deployment(tmp_path / "absent.yml")


BAC_GIANG = minimal(code="bac_giang", name_vi="Tỉnh Bắc Giang", peer_name="Bắc Giang", seeds="thu_nghiem")


@pytest.mark.parametrize(
    ("provinces", "message"),
    [
        ([minimal(name_vi="")], "province 'bac_ninh': name_vi: required"),
        ([minimal(code="Bắc Ninh")], "province 'Bắc Ninh': code: 'Bắc Ninh' may hold only lower-case letters"),
        ([{"name_vi": "Tỉnh Bắc Ninh", "peer_name": "Bắc Ninh"}], r"provinces\[0\]: code: required"),
        ([minimal(databse="x")], "province 'bac_ninh': databse: unknown key"),
        ([minimal(database="dti-bac-ninh")], "province 'bac_ninh': database: 'dti-bac-ninh' must be"),
        ([minimal(seeds="nowhere")],
         "province 'bac_ninh': seeds: .*dbt_project/provinces/nowhere lacks reporting_units.csv, province_targets.csv"),
        ([minimal(seeds="../seeds")], "province 'bac_ninh': seeds: '../seeds' must name a folder of .*provinces"),
        ([minimal(vars={"dti_focal_point": "SKHCN"})], "province 'bac_ninh': vars: dti_focal_point: not a var"),
        ([minimal(vars={"dti_province_name_vi": "X"})],
         "province 'bac_ninh': vars: dti_province_name_vi: set the province's 'name_vi'"),
        ([minimal(), {**BAC_GIANG, "database": "dti_bac_ninh"}],
         "province 'bac_giang': database: dti_bac_ninh is already used by province 'bac_ninh'; "
         "each province needs its own"),
        ([minimal(), {**BAC_GIANG, "output": str(settings.OUTPUT_ROOT_DIR / "bac_ninh")}],
         "province 'bac_giang': output: .*output/bac_ninh is already used by province 'bac_ninh'"),
        ([minimal(), {**BAC_GIANG, "seeds": "bac_ninh"}],
         "province 'bac_giang': seeds: .*bac_ninh is already used by province 'bac_ninh'"),
        ([minimal(database="dti_national")], "province 'bac_ninh': database: dti_national is the national roll-up's"),
        ([], "provinces: expected a list of at least one province"),
    ],
)
def test_a_mistake_is_reported_with_the_file_the_province_and_the_key(two_province_project, tmp_path, provinces,
                                                                       message):
    path = write_provinces(tmp_path, {"provinces": provinces})

    with pytest.raises(ProvincesConfigError, match=f"^{path}: {message}"):
        load_deployment(path)


def test_an_unknown_top_level_key_or_bad_yaml_names_the_file(tmp_path):
    with pytest.raises(ProvincesConfigError, match="provinces.yml: provience: unknown key"):
        load_deployment(write_provinces(tmp_path, {"provience": [minimal()]}))
    broken = tmp_path / "broken.yml"
    broken.write_text("provinces: [code: bac_ninh", encoding="utf-8")
    with pytest.raises(ProvincesConfigError, match="broken.yml: not valid YAML"):
        load_deployment(broken)


def test_relative_paths_are_read_from_the_file_s_folder_and_urls_are_kept(tmp_path):
    path = write_provinces(tmp_path, {"provinces": [minimal(
        archive="archive", output="/srv/dti/bac_ninh", inbox="s3://inbox-bucket/bac_ninh")]})

    province = load_deployment(path).default

    assert province.archive_dir == (tmp_path / "archive").resolve()
    assert province.output_dir == Path("/srv/dti/bac_ninh")
    assert province.inbox_url == "s3://inbox-bucket/bac_ninh"
