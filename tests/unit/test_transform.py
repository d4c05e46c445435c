"""What each node task of the transform reports from the run's one dbt build, without Airflow or dbt:
a failing model, a failing test of a model, a skipped node and a test spanning several models."""

from __future__ import annotations

import pytest

from dti.dbt_manifest import StaleManifestError, current_manifest, project_fingerprint
from dti.transform import DbtNodeFailed, check_node, node_results

SEED = "seed.dti.reporting_units"
STAGING = "model.dti.stg_submissions__rows"
MART = "model.dti.fct_dti_scores"
NOT_NULL = "test.dti.not_null_fct_dti_scores_dti_score.1a2b"
UNIT_TEST = "unit_test.dti.fct_dti_scores.scores_sum_points"
ACROSS = "test.dti.assert_every_unit_is_scored"


def manifest() -> dict:
    def node(unique_id: str, *parents: str) -> dict:
        return {"resource_type": unique_id.split(".", 1)[0], "depends_on": {"nodes": list(parents)}}

    return {
        "nodes": {SEED: node(SEED), STAGING: node(STAGING), MART: node(MART, STAGING, SEED),
                  NOT_NULL: node(NOT_NULL, MART), ACROSS: node(ACROSS, MART, SEED)},
        "unit_tests": {UNIT_TEST: node(UNIT_TEST, MART)},
    }


def run_results(**statuses: str) -> dict:
    """run_results.json of a build where every node passed unless ``statuses`` says otherwise."""
    defaults = {SEED: "success", STAGING: "success", MART: "success", NOT_NULL: "pass", UNIT_TEST: "pass",
                ACROSS: "pass"}
    named = {"seed": SEED, "staging": STAGING, "mart": MART, "not_null": NOT_NULL, "unit_test": UNIT_TEST,
             "across": ACROSS}
    defaults.update({named[name]: status for name, status in statuses.items()})
    return {"results": [{"unique_id": unique_id, "status": status,
                         "message": None if status in ("success", "pass") else f"{unique_id} said {status}"}
                        for unique_id, status in defaults.items()]}


def test_every_node_of_a_clean_build_reports_success():
    results = node_results(run_results(), manifest())
    for unique_id in (SEED, STAGING, MART, ACROSS):
        assert check_node(results, unique_id) == f"{unique_id}: {'pass' if unique_id == ACROSS else 'success'}"


def test_a_model_dbt_failed_fails_its_task_with_dbt_s_message():
    results = node_results(run_results(staging="error"), manifest())
    with pytest.raises(DbtNodeFailed, match=f"{STAGING}: error: {STAGING} said error"):
        check_node(results, STAGING)
    assert check_node(results, SEED) == f"{SEED}: success"


def test_a_failing_data_or_unit_test_fails_the_model_it_tests():
    with pytest.raises(DbtNodeFailed, match=rf"{MART}: 1 of its tests did not pass: {NOT_NULL} fail"):
        check_node(node_results(run_results(not_null="fail"), manifest()), MART)
    with pytest.raises(DbtNodeFailed, match=rf"{UNIT_TEST} fail"):
        check_node(node_results(run_results(unit_test="fail"), manifest()), MART)


def test_dbt_s_message_over_several_lines_is_reported_on_one():
    build = run_results(mart="error")
    build["results"][2]["message"] = "Database Error in model fct_dti_scores\n  division by zero\n"
    with pytest.raises(DbtNodeFailed, match="error: Database Error in model fct_dti_scores division by zero$"):
        check_node(node_results(build, manifest()), MART)


def test_a_warning_test_does_not_fail_its_model():
    assert check_node(node_results(run_results(not_null="warn"), manifest()), MART) == f"{MART}: success"


def test_a_test_spanning_several_models_fails_its_own_task_not_theirs():
    results = node_results(run_results(across="fail"), manifest())
    with pytest.raises(DbtNodeFailed, match=f"{ACROSS}: fail"):
        check_node(results, ACROSS)
    assert check_node(results, MART) == f"{MART}: success"
    assert check_node(results, SEED) == f"{SEED}: success"


def test_a_node_dbt_skipped_names_what_failed_upstream():
    results = node_results(run_results(staging="error", mart="skipped"), manifest())
    with pytest.raises(DbtNodeFailed, match=f"dbt skipped it .*failed in this build: {STAGING}"):
        check_node(results, MART)


def test_a_node_the_build_never_reached_is_not_reported_as_success():
    results = node_results(run_results(), manifest())
    with pytest.raises(DbtNodeFailed, match="has no result for it"):
        check_node(results, "model.dti.rpt_added_after_the_build")
    with pytest.raises(DbtNodeFailed, match="reported no results"):
        check_node(None, MART)


def test_the_manifest_must_be_parsed_from_the_project_as_it_is(tmp_path):
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: dti\n", encoding="utf-8")
    (project / "models" / "fct.sql").write_text("select 1\n", encoding="utf-8")
    with pytest.raises(StaleManifestError, match="is missing"):
        current_manifest(project)

    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}", encoding="utf-8")
    (project / "target" / "manifest.sources.sha256").write_text(project_fingerprint(project), encoding="utf-8")
    assert current_manifest(project) == project / "target" / "manifest.json"
    # a province's own seed folder does not change the graph
    (project / "provinces" / "thu_nghiem").mkdir(parents=True)
    (project / "provinces" / "thu_nghiem" / "reporting_units.csv").write_text("unit_code\n", encoding="utf-8")
    assert current_manifest(project)

    (project / "models" / "fct.sql").write_text("select 2\n", encoding="utf-8")
    with pytest.raises(StaleManifestError, match="older dbt project"):
        current_manifest(project)
    (project / "models" / "fct.sql").write_text("select 1\n", encoding="utf-8")
    (project / "models" / "rpt.sql").write_text("select 1\n", encoding="utf-8")
    with pytest.raises(StaleManifestError, match="older dbt project"):
        current_manifest(project)
