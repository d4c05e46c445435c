"""The scoring model built by dbt on real PostgreSQL, from raw rows written by hand.

A few units report, one reports nothing, the procedure system holds ten dossiers; the marts are
then checked against figures computed here by hand and against the aggregation formula of
DTI.md. The same rows are given to a 2023 and a 2026 period, which the catalog scores on two
different frameworks.
"""

from __future__ import annotations

import csv
import json

import psycopg
import pytest
from psycopg.rows import dict_row

from dti.dbt_invocation import dbt_failure, invoke_dbt
from tests.scoring_data import (
    DEPARTMENT,
    FOCAL_POINT,
    PERIOD_2023,
    PERIOD_2026,
    SILENT_DEPARTMENT,
    catalog_seed,
    unit_catalog,
)
from tests.helpers import PROVINCE

@pytest.fixture(autouse=True)
def dbt_folders(tmp_path_factory, monkeypatch):
    """dbt's target and logs in this module's own folder, not in the project beside other runs."""
    folder = tmp_path_factory.getbasetemp() / "scoring-dbt"
    monkeypatch.setenv("DBT_TARGET_PATH", str(folder / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(folder / "logs"))


@pytest.fixture(scope="module")
def scored_url(two_period_marts_url):
    return two_period_marts_url


def query(url: str, sql: str, params: tuple = ()) -> list[dict]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(sql, params).fetchall()


def province_points(url: str, period: str) -> dict[str, float]:
    rows = query(url, "select component_code, points from marts.fct_component_scores "
                      "where period = %s and scope_type = 'province'", (period,))
    return {row["component_code"]: float(row["points"]) for row in rows}


def test_province_components_score_as_computed_by_hand(scored_url):
    points = province_points(scored_url, PERIOD_2026)
    # 6.2: 4 of 10 dossiers full-process online = 0.4 of a 1.0 target × 55 points (405 weights it 55)
    assert points["6.2"] == pytest.approx(0.4 * 55)
    # 1.1: 3 steering-committee meetings → the 3-meeting band, 15 points
    assert points["1.1"] == 15
    # 3.1: the data centre meets the standards (yes) → all 50 points
    assert points["3.1"] == 50
    # 1.2: tasks on time over the three units that report them, (80+80+80)/(100+100+100) × 40
    assert points["1.2"] == pytest.approx(0.8 * 40)
    # 1.3: share of units with a portal column: all three say yes → 25 of 25
    assert points["1.3"] == 25
    # 1.4: the focal point answers that a Vice-Chairman heads the steering committee, half of 15 points
    assert points["1.4"] == pytest.approx(0.5 * 15)
    # 4.3: dedicated IT staff summed over the two reporting departments, 2+2 of a 40 cap × 20
    assert points["4.3"] == pytest.approx(4 / 40 * 20)
    # 8.1 (405 numbering 7.1) from the commune alone, 80/100 × 90
    assert points["7.1"] == pytest.approx(0.8 * 90)
    # 9.1 (8.1 in 405): no certificate register, no population → nothing to measure: no data, with the
    # reason, and its 0 points are left out of the estimate like a value awaiting the Ministry
    no_data = query(scored_url, "select points, component_value, score_status, no_data_reason_en "
                                "from marts.fct_component_scores "
                                "where period = %s and scope_type = 'province' and component_code = '8.1'",
                    (PERIOD_2026,))
    assert no_data == [{"points": 0.0, "component_value": None, "score_status": "no_data",
                        "no_data_reason_en": f"no certificate register received for {PERIOD_2026}"}]


def test_province_dti_is_the_aggregation_of_its_main_index_values(scored_url):
    for period in (PERIOD_2026, PERIOD_2023):
        main_indices = query(scored_url, "select s.index_value, m.max_points from marts.fct_main_index_scores s "
                                         "join reference.dti_main_indices m on m.framework_version = s.catalog_code "
                                         "and m.main_index_code = s.main_index_code "
                                         "where s.period = %s and s.scope_type = 'province'", (period,))
        # DTI.md: Σ (main-index value × main-index max points) / 1000
        expected = sum(float(row["index_value"] or 0) * row["max_points"] for row in main_indices) / 1000
        [province] = query(scored_url, "select dti_score, points from marts.fct_dti_scores "
                                       "where period = %s and scope_type = 'province'", (period,))
        assert float(province["dti_score"]) == pytest.approx(expected, abs=1e-9)
        # each main index is valued on its components measured: one awaiting the Ministry's value (no
        # Ministry file here) or without data (no certificate register) is left out, not scored 0
        components = query(scored_url, "select main_index_code, points, max_points, score_status "
                                       "from marts.fct_component_scores where period = %s and scope_type = 'province'",
                           (period,))
        assert {row["score_status"] for row in components} >= {"awaiting", "no_data", "scored"}
        by_hand = 0.0
        for code in {c["main_index_code"] for c in components}:
            measured = [c for c in components
                        if c["main_index_code"] == code and c["score_status"] not in ("awaiting", "no_data")]
            main_index_max = sum(float(c["max_points"]) for c in components if c["main_index_code"] == code)
            if measured and main_index_max:
                by_hand += (sum(float(c["points"]) for c in measured) / sum(float(c["max_points"]) for c in measured)
                            * main_index_max)
        assert float(province["dti_score"]) == pytest.approx(by_hand / 1000)
        assert 0 < expected < 1


def test_the_province_dti_says_how_much_of_the_official_framework_stands_behind_it(scored_url):
    coverage = {row["period"]: row for row in query(
        scored_url, "select period, official_component_count, components_measured, components_official_measured, "
                    "components_proxy_measured, components_awaiting, is_estimate, dti_score, dti_score_lowest, "
                    "dti_score_highest from marts.fct_dti_scores where scope_type = 'province'")}
    catalog = {version: [row for row in catalog_seed("dti_components") if row["framework_version"] == version]
               for version in ("922", "405")}
    for period, version, official_count in ((PERIOD_2023, "922", 98), (PERIOD_2026, "405", 47)):
        row = coverage[period]
        proxies = [c for c in catalog[version] if c["provenance"] == "provincial_proxy"]
        awaiting = [c for c in proxies if c["value_source"] == "ministry"]  # no Ministry file in this data
        assert awaiting, "the shipped catalog has Ministry-measured components"
        # no certificate register in this data (and no dossier in 2023-Q3): those proxies have no data and are
        # not measured either
        without_data = {row["component_code"] for row in query(
            scored_url, "select component_code from marts.fct_component_scores where period = %s "
                        "and scope_type = 'province' and provenance = 'provincial_proxy' and score_status = 'no_data'",
            (period,))}
        assert {c["component_code"] for c in proxies if c["value_source"] == "signature_certificates"} <= without_data
        assert (row["official_component_count"], row["components_official_measured"]) == (official_count, 0)
        assert row["components_proxy_measured"] == row["components_measured"] == (
            len(proxies) - len(awaiting) - len(without_data))
        assert row["components_awaiting"] == len(awaiting)
        assert row["is_estimate"] is True
        assert row["dti_score_lowest"] < row["dti_score"] < row["dti_score_highest"]
    # 922's awareness: 10 official components verified, 100 points; its proxies, all measured here, each stand
    # for an equal 10 points, so the range is the value over their 10 × proxies points, and 0 or all of the rest
    [awareness] = query(scored_url, "select index_value, index_value_lowest, index_value_highest "
                                    "from marts.fct_main_index_scores where period = %s and scope_type = 'province' "
                                    "and main_index_code = 'awareness'", (PERIOD_2023,))
    proxies = sum(c["main_index_code"] == "awareness" and c["provenance"] == "provincial_proxy" for c in catalog["922"])
    value = float(awareness["index_value"])
    assert float(awareness["index_value_lowest"]) == pytest.approx(value * proxies * 10 / 100)
    assert float(awareness["index_value_highest"]) == pytest.approx(value * proxies * 10 / 100 + (10 - proxies) / 10)


def test_a_unit_that_sent_nothing_scores_zero_and_is_flagged(scored_url):
    [silent] = query(scored_url, "select dti_score, submission_status, components_in_scope, components_missing, "
                                 "rank_in_group from marts.fct_dti_scores where period = %s and scope_code = %s",
                     (PERIOD_2026, SILENT_DEPARTMENT))
    assert silent["submission_status"] == "missing"
    assert float(silent["dti_score"]) == 0
    assert silent["components_missing"] == silent["components_in_scope"] == len(unit_catalog("department"))
    statuses = query(scored_url, "select distinct score_status, points from marts.fct_component_scores "
                                 "where period = %s and scope_code = %s", (PERIOD_2026, SILENT_DEPARTMENT))
    assert statuses == [{"score_status": "missing", "points": 0.0}]
    ranked = query(scored_url, "select unit_code, rank_in_group, components_missing_list from marts.rpt_unit_ranking "
                               "where period = %s and ranking_group = 'department' order by rank_in_group, unit_code",
                   (PERIOD_2026,))
    assert [row["unit_code"] for row in ranked[:2]] == sorted([DEPARTMENT, FOCAL_POINT])
    silent_ranking = next(row for row in ranked if row["unit_code"] == SILENT_DEPARTMENT)
    assert "NT01" in silent_ranking["components_missing_list"]
    units = query(scored_url, "select count(*) as n from marts.fct_dti_scores "
                              "where period = %s and scope_type = 'unit'",
                  (PERIOD_2026,))
    with PROVINCE.reporting_units_seed.open(encoding="utf-8") as handle:
        assert units[0]["n"] == sum(1 for _ in csv.DictReader(handle))


def test_the_assessment_year_chooses_the_framework(scored_url):
    frameworks = query(scored_url, "select period, catalog_code from marts.fct_dti_scores "
                                   "where scope_type = 'province' order by period")
    assert frameworks == [{"period": PERIOD_2023, "catalog_code": "922"},
                          {"period": PERIOD_2026, "catalog_code": "405"}]
    main_indices = {period: [row["main_index_code"] for row in query(
        scored_url, "select main_index_code from marts.fct_main_index_scores where period = %s "
                    "and scope_type = 'province'", (period,))] for period in (PERIOD_2023, PERIOD_2026)}
    assert "smart_city" in main_indices[PERIOD_2023] and "smart_city" not in main_indices[PERIOD_2026]
    assert len(main_indices[PERIOD_2023]) == 9 and len(main_indices[PERIOD_2026]) == 8


def test_target_progress_levers_and_rank_are_reported(scored_url):
    progress = {row["target_code"]: row for row in query(
        scored_url, "select * from marts.rpt_target_progress where period = %s", (PERIOD_2026,))}
    assert set(progress) == {"dti_score", "national_rank", "full_process_online_services", "digitized_procedures",
                             "personal_digital_signatures", "data_center_standard"}
    assert progress["data_center_standard"]["is_met"] is True
    # full-process online services: 80 of 100 services in every reporting unit, against 60%
    assert float(progress["full_process_online_services"]["actual_value"]) == pytest.approx(0.8)
    assert progress["full_process_online_services"]["is_met"] is True
    assert progress["personal_digital_signatures"]["actual_value"] is None
    dti = progress["dti_score"]
    assert float(dti["gap"]) == pytest.approx(max(0.75 - float(dti["actual_value"]), 0))
    ranked = query(scored_url, "select component_code, dti_gain_at_target, cumulative_dti_gain, closes_gap_to_target, "
                               "dti_gap_to_target, collect_data_first from marts.rpt_improvement_levers "
                               "where period = %s order by lever_rank",
                   (PERIOD_2026,))
    # a component without data (no certificate register here) comes first, asking for its data, with no gain
    # counted and never in the set that closes the gap
    without_data = [row for row in ranked if row["collect_data_first"]]
    assert without_data and ranked[:len(without_data)] == without_data
    assert all(float(row["dti_gain_at_target"]) == 0 and not row["closes_gap_to_target"] for row in without_data)
    levers = ranked[len(without_data):]
    gains = [float(row["dti_gain_at_target"]) for row in levers]
    assert gains == sorted(gains, reverse=True)
    closing = [row for row in levers if row["closes_gap_to_target"]]
    # the greedy set reaches the target, and one component fewer would not
    reached = float(closing[-1]["cumulative_dti_gain"])
    assert reached >= float(dti["gap"]) > reached - gains[len(closing) - 1]


def test_raising_one_component_never_lowers_any_dti(two_period_marts_copy):
    scored_url = two_period_marts_copy  # a copy of its own: this test changes raw rows
    before = {(row["period"], row["scope_code"]): float(row["dti_score"]) for row in query(
        scored_url, "select period, scope_code, dti_score from marts.fct_dti_scores")}
    # one component's value goes up: one department's tasks done on time, 80 → 95 of 100
    with psycopg.connect(scored_url, autocommit=True) as conn:
        conn.execute("update raw.self_assessment_rows set numerator = 95 where unit_code = %s and "
                     "component_code = 'NT01' and period = %s", (DEPARTMENT, PERIOD_2026))
    rebuilt = invoke_dbt(scored_url, ["run", "--select", "stg_submissions__self_assessment_rows+"])
    assert rebuilt.success, dbt_failure(rebuilt)
    after = {(row["period"], row["scope_code"]): float(row["dti_score"]) for row in query(
        scored_url, "select period, scope_code, dti_score from marts.fct_dti_scores")}
    assert after.keys() == before.keys()
    assert all(after[key] >= before[key] - 1e-12 for key in before)
    assert after[(PERIOD_2026, DEPARTMENT)] > before[(PERIOD_2026, DEPARTMENT)]
    assert after[(PERIOD_2026, "PROVINCE")] > before[(PERIOD_2026, "PROVINCE")]
    assert after[(PERIOD_2023, "PROVINCE")] == before[(PERIOD_2023, "PROVINCE")]


RULES = {"ratio": 0.5, "count_capped": 40, "boolean": None, "yes_partial_no": None, "tiered": None,
         "categorical": None}


def test_every_scoring_rule_is_monotone_in_the_value(database_url):
    """Over a grid of values, a higher value never earns fewer points, for every rule (the tiered
    rule on the steering-committee bands of the 922 catalog), from 0 up to the full 20 points."""
    seeded = invoke_dbt(database_url, ["seed", "--select", "dti_component_tiers"])
    assert seeded.success, dbt_failure(seeded)
    grid = [index / 4 for index in range(0, 4 * 60)]
    tier_points = ("\"(select max(points) from \" ~ ref('dti_component_tiers') ~ \" t where t.catalog_code = '922' "
                   "and t.component_code = '1.1' and t.min_value <= grid.value)\"")
    columns = ", ".join(
        "{{ score_component(\"'" + rule + "'\", 'grid.value', '" + str(target or "null") + "', 20, " + tier_points
        + ") }} as " + rule for rule, target in RULES.items())
    values = ", ".join(f"({value})" for value in grid)
    inline = f"select grid.value, {columns} from (values {values}) as grid (value) order by grid.value"
    shown = invoke_dbt(database_url, ["show", "--inline", inline, "--limit", "-1"])
    assert shown.success, dbt_failure(shown)
    rows = shown.result.results[0].agate_table.rows
    assert len(rows) == len(grid)
    for position, rule in enumerate(RULES, start=1):
        points = [float(row[position]) for row in rows]
        assert all(later >= earlier for earlier, later in zip(points, points[1:], strict=False)), rule
        assert (points[0], points[-1]) == (0, 20), rule


def test_dbt_docs_describe_every_model_seed_and_column(scored_url, tmp_path_factory):
    """`dbt docs generate` works, and the docs the focal point reads leave nothing undescribed:
    every model and seed, and every column the warehouse holds for them."""
    generated = invoke_dbt(scored_url, ["docs", "generate"])
    assert generated.success, dbt_failure(generated)
    target = tmp_path_factory.getbasetemp() / "scoring-dbt" / "target"
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    nodes = {key: node for key, node in manifest["nodes"].items()
             if node["resource_type"] in ("model", "seed") and node["package_name"] == "dti"}
    assert "model.dti.fct_dti_scores" in catalog["nodes"] and "model.dti.rpt_improvement_levers" in catalog["nodes"]
    undescribed = [key for key, node in nodes.items() if not node["description"].strip()]
    for key, built in catalog["nodes"].items():
        if key not in nodes:
            continue
        documented = {name.lower(): column for name, column in nodes[key]["columns"].items()}
        undescribed += [f"{key}.{name}" for name in built["columns"]
                        if not documented.get(name.lower(), {}).get("description", "").strip()]
    assert undescribed == []
    assert "dti_period_report" in {exposure["name"] for exposure in manifest["exposures"].values()}
