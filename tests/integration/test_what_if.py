"""``dti what-if`` on real PostgreSQL: DTIs computed by the project's macro from a file of
main-index values, against values worked out by hand."""

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


def test_dti_what_if_prints_dti_and_rank_and_accepts_the_unscored_smart_city(tmp_path, database_url, dbt_output,
                                                                             monkeypatch):
    # smart city is a main index of 922 with 0 points: its value changes nothing
    values_file = write_values_file(tmp_path / "kich-ban.csv", {"smart_city": "1"})
    monkeypatch.setenv("DTI_DATABASE_URL", database_url)
    # The command scores in a scratch database on the server; here, this test's own, which is dropped after it.
    monkeypatch.setattr(settings, "WHAT_IF_DATABASE", settings.PostgresParams.from_url(database_url).dbname)
    printed = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=printed, width=200))

    result = CliRunner().invoke(cli.app, ["what-if", "--year", "2023", "--main-index-values", str(values_file)])

    assert result.exit_code == 0, (result.output, printed.getvalue())
    lines = printed.getvalue().splitlines()
    assert "framework 922" in lines[0]
    assert lines[2:] == [f"{rank:>4}  {dti}  {name}" for name, _, dti, rank in SCENARIOS]

    refused = write_values_file(tmp_path / "thieu-cot.csv", {"smart_cty": "1"})
    result = CliRunner().invoke(cli.app, ["what-if", "--year", "2023", "--main-index-values", str(refused)])
    assert result.exit_code == 1
    assert "unknown column(s) smart_cty" in printed.getvalue()


FRAMEWORK_405 = Framework(version="405", main_indices=tuple(
    MainIndex(code, points) for code, points in zip(MAIN_INDICES, [100] * 5 + [200, 150, 150])
))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,awareness\nA,1\n", "missing main-index column(s) institutions, infrastructure"),
        ("name," + ",".join(MAIN_INDICES) + ",smart_city\nA" + ",1" * 9 + "\n", "unknown column(s) smart_city"),
        ("ten," + ",".join(MAIN_INDICES) + "\nA" + ",1" * 8 + "\n", "no 'name' column"),
        ("name," + ",".join(MAIN_INDICES) + "\nA" + ",1" * 8 + "\nB" + ",1" * 6 + ",1.2,1\n",
         "row 3, column digital_economy: 1.2 is outside 0–1"),
        ("name," + ",".join(MAIN_INDICES) + "\nA" + ",1" * 7 + ",-0.1\n", "row 2, column digital_society: -0.1 is outside 0–1"),
        ("name," + ",".join(MAIN_INDICES) + "\nA,1,1,1,,1,1,1,1\n", "row 2, column human_resources: '' is not a number"),
        ("name," + ",".join(MAIN_INDICES) + "\nA,1,1,1,1,1,1,1,85%\n", "row 2, column digital_society: '85%' is not a number"),
        ("name," + ",".join(MAIN_INDICES) + "\n", "no rows to score"),
    ],
    ids=["missing column", "unknown column", "no name column", "above 1", "below 0", "empty", "percent", "no rows"],
)
def test_a_file_that_cannot_be_scored_is_refused_naming_row_and_column(tmp_path, content, message):
    path = tmp_path / "values.csv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(WhatIfError, match=re.escape(message)):
        read_main_index_values(path, FRAMEWORK_405)
