"""``dti what-if`` on real PostgreSQL: DTIs and pillar values computed by the project's macros from a
file of main-index values, against values worked out by hand and the Ministry's published results."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from dti import cli, settings
from dti.what_if import Framework, MainIndex, WhatIfError, read_main_index_values, score_what_if

MAIN_INDICES = ["awareness", "institutions", "infrastructure", "human_resources", "cybersecurity",
                "digital_government", "digital_economy", "digital_society"]

# Max points, the same in 922 and 405: each foundation index 100, digital government 200, digital
# economy 150, digital society 150 (922 also has smart city, 0 points); 1000 in all.
SCENARIOS = [
    # name, eight main-index values in MAIN_INDICES order, DTI by hand, rank
    # 1000 / 1000
    ("Tất cả tối đa", ["1.0"] * 8, "1.0000", 1),
    # 5 × 0.9 × 100 = 450; 0.6 × 200 = 120; 0.5 × 150 = 75; 0.5 × 150 = 75 -> 720 / 1000
    ("Nền tảng mạnh", ["0.9"] * 5 + ["0.6", "0.5", "0.5"], "0.7200", 2),
    # 5 × 0.6 × 100 = 300; 0.9 × 200 = 180; 0.8 × 150 = 120; 0.8 × 150 = 120 -> 720 / 1000, a tie
    ("Hoạt động mạnh", ["0.6"] * 5 + ["0.9", "0.8", "0.8"], "0.7200", 2),
    # 75 + 80 + 55 + 62.5 + 90 = 362.5; 0.8125 × 200 = 162.5; 0.4 × 150 = 60; 0.33 × 150 = 49.5
    # -> 634.5 / 1000
    ("Chính quyền số", ["0.75", "0.8", "0.55", "0.625", "0.9", "0.8125", "0.4", "0.33"], "0.6345", 4),
    # 0.33333 × 1000 / 1000 = 0.33333, printed 0.3333
    ("Đều một phần ba", ["0.33333"] * 8, "0.3333", 5),
    ("Chưa làm gì", ["0"] * 8, "0.0000", 6),
]


def write_values_file(path: Path, extra_columns: dict[str, str] | None = None) -> Path:
    extra_columns = extra_columns or {}
    lines = [",".join(["name", *MAIN_INDICES, *extra_columns])]
    lines += [",".join([name, *values, *extra_columns.values()]) for name, values, _, _ in SCENARIOS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def dbt_output(tmp_path, monkeypatch):
    """dbt writes its target and logs in the test's folder, not in the project."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))


def test_what_if_scores_each_row_with_the_framework_of_the_year(tmp_path, database_url, dbt_output):
    values_file = write_values_file(tmp_path / "kich-ban.csv")

    framework, scores = score_what_if(2024, values_file, database_url)

    assert framework.version == "405"
    assert [(score.name, f"{score.dti_score:.4f}", score.rank) for score in scores] == [
        (name, dti, rank) for name, _, dti, rank in SCENARIOS
    ]
    assert scores[0].dti_score == Decimal(1)
    # Pillars of "Nền tảng mạnh": foundation 450 points; government (450 + 120) / 700, economy and
    # society (450 + 75) / 650.
    strong_foundation = scores[1]
    pillars = [strong_foundation.pillar_government, strong_foundation.pillar_economy, strong_foundation.pillar_society]
    assert [round(value, 10) for value in pillars] == [round(Decimal(points) / total, 10)
                                                       for points, total in [(570, 700), (525, 650), (525, 650)]]
    assert (scores[0].pillar_government, scores[0].pillar_economy, scores[0].pillar_society) == (1, 1, 1)


# The 2022 top five as dti.gov.vn/xep-hang-2022 publishes them: the main-index values (smart city
# 0, unscored in 922) and the DTI.
PUBLISHED_2022 = """name,awareness,institutions,infrastructure,human_resources,cybersecurity,smart_city,\
digital_government,digital_economy,digital_society,published_dti
TP. Đà Nẵng,1.0000,0.9000,0.8253,0.8487,0.7578,0,0.8575,0.7836,0.5197,0.8002
TP. Hồ Chí Minh,0.8917,0.9000,0.8258,0.6267,0.5580,0,0.8406,0.7611,0.3590,0.7163
Quảng Ninh,0.9581,0.9000,0.7648,0.6250,0.5382,0,0.8385,0.5904,0.4505,0.7024
Thừa Thiên - Huế,0.9500,0.9000,0.6823,0.6794,0.6423,0,0.8262,0.6787,0.3001,0.6975
TP. Cần Thơ,0.9000,0.8000,0.7233,0.7376,0.7226,0,0.7325,0.7556,0.2947,0.6924
"""


def write_published_2022(path: Path) -> dict[str, Decimal]:
    """The file ``dti what-if`` reads (without the published DTI), and the published DTI by name."""
    header, *rows = [line.split(",") for line in PUBLISHED_2022.splitlines()]
    path.write_text("\n".join(",".join(cells[:-1]) for cells in [header, *rows]) + "\n", encoding="utf-8")
    return {cells[0]: Decimal(cells[-1]) for cells in rows}


def test_dti_what_if_prints_the_published_2022_dti_and_pillars_of_the_top_five(tmp_path, database_url, dbt_output,
                                                                             monkeypatch):
    values_file = tmp_path / "top-5-2022.csv"
    published = write_published_2022(values_file)
    monkeypatch.setenv("DTI_DATABASE_URL", database_url)
    # The command scores in a scratch database on the server; here, this test's own, which is dropped after it.
    monkeypatch.setattr(settings, "WHAT_IF_DATABASE", settings.PostgresParams.from_url(database_url).dbname)
    printed = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=printed, width=200))

    result = CliRunner().invoke(cli.app, ["what-if", "--year", "2022", "--main-index-values", str(values_file)])

    assert result.exit_code == 0, (result.output, printed.getvalue())
    lines = printed.getvalue().splitlines()
    assert "framework 922" in lines[0]
    assert lines[2].split() == ["rank", "DTI", "Chính", "quyền", "số", "Kinh", "tế", "số", "Xã", "hội", "số", "name"]
    assert lines[3].split() == ["(government)", "(economy)", "(society)"]
    rows = [re.match(r"\s*(\d+)  (\d\.\d{4})  +(\d\.\d{4})  +(\d\.\d{4})  +(\d\.\d{4})  (.+)$", line).groups()
            for line in lines[4:]]
    assert [(rank, name) for rank, *_, name in rows] == [(str(rank), name) for rank, name in enumerate(published, 1)]
    # Each DTI recomputed from the published (rounded) main-index values is the published DTI within
    # 0.0001. Four print as published; TP. Hồ Chí Minh's recomputes to 0.716355 and prints 0.7164
    # (published 0.7163, from unrounded values).
    for _, dti, *_, name in rows:
        assert abs(Decimal(dti) - published[name]) <= Decimal("0.0001"), name
    assert [dti for _, dti, *_ in rows] == ["0.8002", "0.7164", "0.7024", "0.6975", "0.6924"]
    # Đà Nẵng by hand: foundation 100 + 90 + 82.53 + 84.87 + 75.78 = 433.18 points; digital
    # government 0.8575 × 200 = 171.5, economy 0.7836 × 150 = 117.54, society 0.5197 × 150 = 77.955.
    # Government (433.18 + 171.5) / 700 = 0.86383, economy (433.18 + 117.54) / 650 = 0.84726,
    # society (433.18 + 77.955) / 650 = 0.78636.
    assert rows[0] == ("1", "0.8002", "0.8638", "0.8473", "0.7864", "TP. Đà Nẵng")

    refused = write_values_file(tmp_path / "thieu-cot.csv", {"smart_cty": "1"})
    result = CliRunner().invoke(cli.app, ["what-if", "--year", "2023", "--main-index-values", str(refused)])
    assert result.exit_code == 1
    assert "unknown column(s) smart_cty" in printed.getvalue()


FRAMEWORK_405 = Framework(version="405", main_indices=tuple(
    MainIndex(code, points) for code, points in zip(MAIN_INDICES, [100] * 5 + [200, 150, 150], strict=True)
))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,awareness\nA,1\n", "missing main-index column(s) institutions, infrastructure"),
        ("name," + ",".join(MAIN_INDICES) + ",smart_city\nA" + ",1" * 9 + "\n", "unknown column(s) smart_city"),
        ("ten," + ",".join(MAIN_INDICES) + "\nA" + ",1" * 8 + "\n", "no 'name' column"),
        ("name," + ",".join(MAIN_INDICES) + "\nA" + ",1" * 8 + "\nB" + ",1" * 6 + ",1.2,1\n",
         "row 3, column digital_economy: 1.2 is outside 0–1"),
        ("name," + ",".join(MAIN_INDICES) + "\nA" + ",1" * 7 + ",-0.1\n",
         "row 2, column digital_society: -0.1 is outside 0–1"),
        ("name," + ",".join(MAIN_INDICES) + "\nA,1,1,1,,1,1,1,1\n",
         "row 2, column human_resources: '' is not a number"),
        ("name," + ",".join(MAIN_INDICES) + "\nA,1,1,1,1,1,1,1,85%\n",
         "row 2, column digital_society: '85%' is not a number"),
        ("name," + ",".join(MAIN_INDICES) + "\n", "no rows to score"),
    ],
    ids=["missing column", "unknown column", "no name column", "above 1", "below 0", "empty", "percent", "no rows"],
)
def test_a_file_that_cannot_be_scored_is_refused_naming_row_and_column(tmp_path, content, message):
    path = tmp_path / "values.csv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(WhatIfError, match=re.escape(message)):
        read_main_index_values(path, FRAMEWORK_405)
