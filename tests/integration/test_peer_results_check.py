"""The published peer results on real PostgreSQL: the checks that recompute a peer's DTI and pillar
values from its main-index values with the project's macros, and the peer-rank report built on them.

dbt runs on a copy of the project's seeds, macros, tests and the peer models in the test's folder, so
fixture rows can be added to the peers seed without touching the real file.
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from dti import settings
from dti.dbt_invocation import invoke_dbt

CHECK = "assert_peer_dti_scores_match_main_index_values"
PILLAR_CHECK = "assert_peer_pillar_values_match_main_index_values"
PEERS_SEED = Path("seeds/province/peer_dti_results.csv")
# What the check and the report need of the project. The other models are not copied, so the
# test does not depend on them; a stand-in takes the place of fct_dti_scores.
PROJECT_PARTS = ["dbt_project.yml", "profiles.yml", "macros", "seeds", "tests/generic", "tests/province",
                 "models/_column_docs.md", "models/intermediate/peers", "models/marts/rpt_peer_rank.sql",
                 "models/marts/_rpt_peer_rank.yml"]


# A stand-in for the marts' fct_dti_scores, with the columns the peer-rank report reads.
STAND_IN_DTI_SCORES = """
select *, dti_score as dti_score_lowest, dti_score as dti_score_highest from (values
    ('2026-Q3', 'province', 2026, cast(0.7900 as numeric)),
    ('2026-Q3', 'unit', 2026, cast(0.9900 as numeric)),
    ('2023-Q4', 'province', 2023, cast(0.7500 as numeric)),
    ('2022-Q4', 'province', 2022, cast(0.6000 as numeric)),
    ('2030-Q1', 'province', 2030, cast(0.8450 as numeric)),
    ('2030-Q2', 'province', 2030, cast(0.8350 as numeric)),
    ('2031-Q1', 'province', 2031, cast(0.9300 as numeric)),
    ('2021-Q4', 'province', 2021, cast(0.5000 as numeric)),
    ('2027-Q1', 'province', 2027, cast(null as numeric))
) as scores (period, scope_type, assessment_year, dti_score)
where period <> '2030-Q1'
-- an estimate whose range spans the 2031-Q1 and 2030-Q2 scores: its rank range spans their ranks
union all
select '2030-Q1', 'province', 2030, cast(0.8450 as numeric), cast(0.8350 as numeric), cast(0.9300 as numeric)
"""


@pytest.fixture()
def dbt_project(tmp_path, monkeypatch) -> Path:
    project = tmp_path / "dbt_project"
    for part in PROJECT_PARTS:
        source, target = settings.DBT_PROJECT_DIR / part, project / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    (project / "models/marts/fct_dti_scores.sql").write_text(STAND_IN_DTI_SCORES, encoding="utf-8")
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    return project


def add_peer_rows(project: Path, rows: list[dict]) -> None:
    with (project / PEERS_SEED).open(encoding="utf-8", newline="") as handle:
        columns = next(csv.reader(handle))
    with (project / PEERS_SEED).open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=columns, lineterminator="\n").writerows(rows)


def seed_and_check(project: Path, url: str, check: str = CHECK):
    seeded = invoke_dbt(url, ["seed"], project)
    assert seeded.success, seeded.exception
    return invoke_dbt(url, ["test", "--select", check], project)


def peer_with_all_main_indices(dti_score: str, year: int) -> dict:
    return {"assessment_year": year, "province": "Tỉnh Kiểm Thử", "rank": "", "dti_score": dti_score,
            "awareness": "0.8", "institutions": "0.7", "infrastructure": "0.6", "human_resources": "0.5",
            "cybersecurity": "0.4", "digital_government": "0.9", "digital_economy": "0.3", "digital_society": "0.2",
            "status": "test fixture", "source_url": ""}


# The fixture peer's DTI by hand, with the max points of 922 and 405 alike (100 for each of the five
# foundation indices, digital government 200, economy 150, society 150; smart city 0 in 922):
# (0.8 + 0.7 + 0.6 + 0.5 + 0.4) × 100 = 300; 0.9 × 200 = 180; 0.3 × 150 = 45; 0.2 × 150 = 30;
# (300 + 180 + 45 + 30) / 1000 = 0.5550.


def test_the_published_peer_results_pass_the_check(dbt_project, database_url):
    result = seed_and_check(dbt_project, database_url)

    assert result.success, result.exception
    [check] = result.result.results
    assert (check.node.name, str(check.status), check.failures) == (CHECK, "pass", 0)
    # what it compared: the 2022 top five, published with all their main-index values
    with psycopg.connect(database_url) as conn:
        compared = conn.execute(
            "select assessment_year, province from reference.peer_dti_results"
            " where dti_score is not null and num_nulls(awareness, institutions, infrastructure, human_resources,"
            " cybersecurity, digital_government, digital_economy, digital_society) = 0 order by rank"
        ).fetchall()
    assert compared == [(2022, "TP. Đà Nẵng"), (2022, "TP. Hồ Chí Minh"), (2022, "Quảng Ninh"),
                        (2022, "Thừa Thiên - Huế"), (2022, "TP. Cần Thơ")]


def test_the_published_peer_pillars_pass_the_pillar_check(dbt_project, database_url):
    result = seed_and_check(dbt_project, database_url, PILLAR_CHECK)

    assert result.success, result.exception
    [check] = result.result.results
    assert (check.node.name, str(check.status), check.failures) == (PILLAR_CHECK, "pass", 0)


def test_a_peer_whose_pillars_are_not_its_main_index_values_fails_the_pillar_check(dbt_project, database_url):
    # The fixture peer's pillars by hand: foundation 300 points (see above); government
    # (300 + 180) / 700 = 0.685714…, economy (300 + 45) / 650 = 0.530769…, society (300 + 30) / 650
    # = 0.507692…, published rounded to 4 decimals. The second peer's society is 0.01 off.
    pillars = {"pillar_government": "0.6857", "pillar_economy": "0.5308", "pillar_society": "0.5077"}
    add_peer_rows(dbt_project, [
        {**peer_with_all_main_indices("0.5550", 2023), **pillars},
        {**peer_with_all_main_indices("0.5550", 2024), **pillars, "pillar_society": "0.5177"},
    ])

    result = seed_and_check(dbt_project, database_url, PILLAR_CHECK)

    assert not result.success
    [check] = result.result.results
    assert (str(check.status), check.failures) == ("fail", 1)


@pytest.mark.parametrize("year", [2022, 2024], ids=["framework 922", "framework 405"])
def test_a_peer_whose_dti_is_not_its_main_index_values_fails_the_check(dbt_project, database_url, year):
    add_peer_rows(dbt_project, [peer_with_all_main_indices("0.5560", year)])

    result = seed_and_check(dbt_project, database_url)

    assert not result.success
    [check] = result.result.results
    assert (str(check.status), check.failures) == ("fail", 1)


def test_a_peer_whose_dti_is_its_main_index_values_passes_the_check(dbt_project, database_url):
    add_peer_rows(dbt_project, [peer_with_all_main_indices("0.5550", 2023)])

    result = seed_and_check(dbt_project, database_url)

    assert result.success, result.exception
    [check] = result.result.results
    assert (str(check.status), check.failures) == ("pass", 0)


def year_2030_results() -> list[dict]:
    """A made-up complete year: the province 3rd with 0.92, eleven peers at ranks 1, 2, 4 … 12 scoring
    0.95 − 0.01 × rank (0.94, 0.93, 0.91 … 0.83)."""
    empty = dict.fromkeys(["awareness", "institutions", "infrastructure", "human_resources", "cybersecurity",
                           "digital_government", "digital_economy", "digital_society", "source_url"], "")
    rows = [{"assessment_year": 2030, "province": "Bắc Ninh", "rank": 3, "dti_score": "0.92", "status": "test fixture",
             **empty}]
    for rank in [1, 2, *range(4, 13)]:
        rows.append({"assessment_year": 2030, "province": f"Tỉnh {rank:02d}", "rank": rank,
                     "dti_score": f"{Decimal('0.95') - Decimal('0.01') * rank}", "status": "test fixture", **empty})
    return rows


def test_peer_rank_places_each_period_among_the_published_results(dbt_project, database_url):
    add_peer_rows(dbt_project, year_2030_results())
    assert invoke_dbt(database_url, ["seed"], dbt_project).success
    built = invoke_dbt(database_url, ["build", "--select", "fct_dti_scores", "int_peers__published_results",
                                      "rpt_peer_rank"], dbt_project)
    assert built.success, [(r.node.name, r.message) for r in built.result.results
                           if str(r.status) not in ("success", "pass")]

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "select period, compared_year, peers_with_score, peers_ranked, estimated_rank, worst_case_rank,"
            " tenth_place_score, gap_to_top10, in_top10 from marts.rpt_peer_rank order by period"
        ).fetchall()
        rank_ranges = dict(((period, (best, worst)) for period, best, worst in conn.execute(
            "select period, rank_range_best, rank_range_worst from marts.rpt_peer_rank").fetchall()))

    D = Decimal
    assert rows == [
        # No year published by 2021: compared with the latest (2030); all 11 peers score above 0.50.
        ("2021-Q4", 2030, 11, 11, 12, 12, D("0.84"), D("0.3400"), False),
        # 2022: 62 peers ranked, 6 scored (ranks 1-5 and Trà Vinh 0.6077 at 25). All six score above
        # 0.60, and so does every peer ranked 25 or better: ranks 1-25 hold 25 provinces (two tied
        # at 15), 24 without Bắc Ninh (7th) -> 25th at best; no peer is known to be behind -> 63rd at
        # worst. Without Bắc Ninh, 10th place is Long An (11th), whose score is unpublished.
        ("2022-Q4", 2022, 6, 62, 25, 63, None, None, False),
        # 2023: Đà Nẵng (0.834) ahead; Bình Dương (0.7411, 7th) behind with every peer ranked 7 or
        # worse (8, 9, 10, 11, 21): 6 behind, 13 peers -> 2nd to 8th; the top 10 either way.
        ("2023-Q4", 2023, 2, 12, 2, 8, None, None, True),
        # 2024: Hà Nội 0.8241 and Huế 0.7951 ahead; Hải Phòng 0.7857 (3rd) behind with every peer
        # ranked 3 or worse (4, 5, 6, 7, 8, 17, 34): 8 behind of 12 peers -> 3rd to 5th.
        ("2026-Q3", 2024, 4, 10, 3, 5, None, None, True),
        # No DTI: the year is still chosen, nothing else said.
        ("2027-Q1", 2024, 4, 10, None, None, None, None, None),
        # 2030 without the province's own row: peers ranked below 3rd move up one place, so 10th
        # place is the peer ranked 11th (0.84). 0.845: nine peers above (0.94 … 0.85), two below.
        ("2030-Q1", 2030, 11, 11, 10, 10, D("0.84"), D("-0.0050"), True),
        # 0.835: ten above, one below -> 11th, 0.005 short of 10th place.
        ("2030-Q2", 2030, 11, 11, 11, 11, D("0.84"), D("0.0050"), False),
        # 0.93 ties with the peer ranked 2nd: one peer ahead, the tie shares 2nd place.
        ("2031-Q1", 2030, 11, 11, 2, 2, D("0.84"), D("-0.0900"), True),
    ]
    # The rank's range: the best place the top of the DTI's range earns, the worst its bottom does. A DTI
    # known exactly has the estimate's ranks; 2030-Q1's range 0.835 … 0.93 earns 2nd (as 2031-Q1's 0.93)
    # to 11th (as 2030-Q2's 0.835).
    assert rank_ranges["2030-Q1"] == (2, 11)
    assert rank_ranges["2022-Q4"] == (25, 63) and rank_ranges["2030-Q2"] == (11, 11)
    assert rank_ranges["2027-Q1"] == (None, None)
