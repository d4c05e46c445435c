"""``dti what-if``: the DTI and the three pillar values that given main-index values would earn, and
their rank among the rows.

The scores come from the dbt macros ``dti_from_main_index_values`` and
``dti_pillars_from_main_index_values``, the one implementation of the Ministry's formulas that also
scores the province, run in one ``dbt show`` against the warehouse.
The main indices and their max points are those of the framework in force for the year, read from
the warehouse's catalog seeds (loaded from the project first if the warehouse has none yet).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from psycopg import sql

from dti import settings, warehouse
from dti.dbt_invocation import dbt_failure, invoke_dbt

NAME_COLUMN = "name"
CATALOG_SEEDS = ("dti_framework_versions", "dti_main_indices")


class WhatIfError(ValueError):
    """The file or the year cannot be scored; the message says where and why."""


@dataclass(frozen=True)
class MainIndex:
    code: str
    max_points: int


@dataclass(frozen=True)
class Framework:
    version: str
    main_indices: tuple[MainIndex, ...]

    @property
    def required_codes(self) -> list[str]:
        """Main indices that earn points; an unscored one (smart city in 922) may be left out."""
        return [index.code for index in self.main_indices if index.max_points > 0]

    @property
    def codes(self) -> list[str]:
        return [index.code for index in self.main_indices]


@dataclass(frozen=True)
class Scenario:
    row: int
    name: str
    values: dict[str, Decimal]


@dataclass(frozen=True)
class ScenarioScore:
    name: str
    dti_score: Decimal
    rank: int
    # (foundation points + the pillar's activity points) ÷ their max points; None for a framework
    # without that pillar's activity index
    pillar_government: Decimal | None
    pillar_economy: Decimal | None
    pillar_society: Decimal | None


def score_what_if(year: int, values_file: Path, url: str,
                  project_dir: Path = settings.DBT_PROJECT_DIR) -> tuple[Framework, list[ScenarioScore]]:
    """The DTI and pillar values of every row of ``values_file`` under the framework in force for
    ``year``, in file order, with its rank among the rows (by the DTI to 4 decimals, as printed;
    equal DTIs share a rank)."""
    manifest = parse_project(url, project_dir)
    ensure_catalog_seeds(url, project_dir, manifest)
    framework = framework_for_year(year, url, project_dir, manifest)
    scenarios = read_main_index_values(values_file, framework)
    return framework, score_scenarios(framework, scenarios, url, project_dir, manifest)


def read_main_index_values(path: Path, framework: Framework) -> list[Scenario]:
    """The rows of a CSV with a ``name`` column and one column per main index of ``framework``,
    each value between 0 and 1. Rows are numbered as in a spreadsheet: the header is row 1."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [column.strip() for column in reader.fieldnames or []]
            reader.fieldnames = header
            records = list(reader)
    except (OSError, UnicodeDecodeError) as error:
        raise WhatIfError(f"{path}: cannot be read as a UTF-8 CSV file ({error})") from error
    check_header(path, header, framework)
    codes = [code for code in framework.codes if code in header]
    scenarios = []
    for row, record in enumerate(records, start=2):
        if None in record:
            raise WhatIfError(f"{path}, row {row}: more cells than the header has columns")
        name = (record[NAME_COLUMN] or "").strip()
        if not name:
            raise WhatIfError(f"{path}, row {row}, column {NAME_COLUMN}: the name is empty")
        values = {code: parse_value(path, row, code, record[code]) for code in codes}
        scenarios.append(Scenario(row=row, name=name, values=values))
    if not scenarios:
        raise WhatIfError(f"{path}: no rows to score")
    return scenarios


def check_header(path: Path, header: list[str], framework: Framework) -> None:
    if NAME_COLUMN not in header:
        raise WhatIfError(f"{path}: no '{NAME_COLUMN}' column")
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise WhatIfError(f"{path}: column(s) given twice: {', '.join(duplicated)}")
    missing = [code for code in framework.required_codes if code not in header]
    unknown = [column for column in header if column != NAME_COLUMN and column not in framework.codes]
    problems = []
    if missing:
        problems.append(f"missing main-index column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if problems:
        raise WhatIfError(f"{path}: {'; '.join(problems)} — framework {framework.version} expects "
                          f"{NAME_COLUMN}, {', '.join(framework.required_codes)}")


def parse_value(path: Path, row: int, column: str, text: str | None) -> Decimal:
    cell = (text or "").strip()
    try:
        value = Decimal(cell)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise WhatIfError(f"{path}, row {row}, column {column}: {cell!r} is not a number between 0 and 1")
    if not 0 <= value <= 1:
        raise WhatIfError(f"{path}, row {row}, column {column}: {cell} is outside 0–1")
    return value


def score_scenarios(framework: Framework, scenarios: list[Scenario], url: str, project_dir: Path,
                    manifest=None) -> list[ScenarioScore]:
    # Only numbers and catalog codes go into the SQL; names stay in Python, keyed by row.
    values = ",\n".join(
        f"({scenario.row}, '{framework.version}', '{code}', cast({value:f} as numeric))"
        for scenario in scenarios for code, value in scenario.values.items()
    )
    query = f"""
with main_index_values as (
    select * from (values
{values}
    ) as scenario_values (scenario_row, framework_version, main_index_code, index_value)
),
scores as (
    {{{{ dti_from_main_index_values('main_index_values', ['scenario_row']) }}}}
),
pillars as (
    {{{{ dti_pillars_from_main_index_values('main_index_values', ['scenario_row']) }}}}
)
select
    scores.scenario_row,
    scores.dti_score,
    rank() over (order by round(scores.dti_score, 4) desc) as dti_rank,
    pillars.pillar_government,
    pillars.pillar_economy,
    pillars.pillar_society
from scores
inner join pillars
    on scores.scenario_row = pillars.scenario_row
"""
    rows = show(query, url, project_dir, manifest)
    scored = {row["scenario_row"]: row for row in rows}
    return [
        ScenarioScore(name=scenario.name, dti_score=scored[scenario.row]["dti_score"],
                      rank=int(scored[scenario.row]["dti_rank"]),
                      pillar_government=scored[scenario.row]["pillar_government"],
                      pillar_economy=scored[scenario.row]["pillar_economy"],
                      pillar_society=scored[scenario.row]["pillar_society"])
        for scenario in scenarios
    ]


def framework_for_year(year: int, url: str, project_dir: Path, manifest=None) -> Framework:
    query = f"""
select framework_version, main_index_code, max_points
from {{{{ ref('dti_main_indices') }}}}
where cast(framework_version as text) = {{{{ dti_framework_version_for_year({int(year)}) }}}}
order by main_index_number
"""
    rows = show(query, url, project_dir, manifest)
    if not rows:
        raise WhatIfError(f"no DTI framework in the catalog covers the year {year}")
    return Framework(
        version=str(rows[0]["framework_version"]),
        main_indices=tuple(MainIndex(code=row["main_index_code"], max_points=int(row["max_points"])) for row in rows),
    )


def ensure_catalog_seeds(url: str, project_dir: Path, manifest) -> None:
    """Load the framework catalog seeds into the warehouse when it does not have them yet."""
    with warehouse.connect(url) as conn:
        missing = [
            name for name in CATALOG_SEEDS
            if conn.execute("select to_regclass(%s)", (relation_identifier(manifest, name),)).fetchone()[0] is None
        ]
    if missing:
        run_dbt(url, ["seed", "--select", *CATALOG_SEEDS], project_dir, manifest)


def relation_identifier(manifest, seed: str) -> str:
    node = next(node for node in manifest.nodes.values() if node.resource_type == "seed" and node.name == seed)
    return sql.SQL("{}.{}").format(sql.Identifier(node.schema), sql.Identifier(node.alias)).as_string()


def show(query: str, url: str, project_dir: Path, manifest=None) -> list[dict]:
    """The rows of ``query`` (dbt SQL: refs and macros allowed), as dicts."""
    result = run_dbt(url, ["show", "--inline", query, "--limit", "-1"], project_dir, manifest)
    table = result.result.results[0].agate_table
    return [dict(zip(table.column_names, row, strict=True)) for row in table.rows]


def parse_project(url: str, project_dir: Path):
    """The project's manifest, parsed once and handed to the dbt commands that follow."""
    return run_dbt(url, ["parse"], project_dir).result


def run_dbt(url: str, args: list[str], project_dir: Path = settings.DBT_PROJECT_DIR, manifest=None):
    """Run one dbt command in this process against ``url``; raise with dbt's message if it fails."""
    result = invoke_dbt(url, args, project_dir, manifest)
    if not result.success:
        raise WhatIfError(f"dbt {args[0]} failed: {dbt_failure(result)}")
    return result
