"""The national roll-up: every province's published DTI in one table, ``national.province_dti_scores``
of the national database (provinces.yml ``national: database``, by default ``dti_national``).

Each province DAG's publish task records what it published in the province's own warehouse
(``audit.published_scores``) and updates the province's Airflow asset; the national DAG, scheduled
on those assets, copies every province's latest published figures of each period here. A
province's tasks never write the national table, and the roll-up only reads what provinces
published: figures that passed their marts gate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import Field, dataclass, fields
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from dti import settings
from dti.provinces import Province
from dti.warehouse import connect, ensure_database


class ProvinceDataMismatch(RuntimeError):
    """A province's warehouse holds another province's published scores: two provinces share a database."""


@dataclass(frozen=True)
class PublishedScore:
    run_id: str
    period: str
    province_code: str
    province_name_vi: str
    framework_version: str
    dti_score: float
    grade_code: str | None
    grade_vi: str | None
    main_index_values: dict
    coverage: dict
    published_at: datetime


# The dataclass is the roll-up's one list of the published figures: the select from each province's
# audit.published_scores (sql/045_published_scores.sql), the national table and its upsert follow it.
PUBLISHED_COLUMNS = tuple(field.name for field in fields(PublishedScore))
_SQL_TYPES = {"str": "text", "float": "double precision", "dict": "jsonb", "datetime": "timestamptz"}
# The national table's key, and what it adds of its own.
_KEY = ("period", "province_code")
_RECORDED_AT = "recorded_at timestamptz not null default clock_timestamp()"


def _column_definition(field: Field) -> str:
    """``name type``, and ``not null`` unless the figure may be missing (a grade where the province is not graded)."""
    optional = str(field.type).endswith(" | None")
    return f"{field.name} {_SQL_TYPES[str(field.type).removesuffix(' | None')]}" + ("" if optional else " not null")


# One row per period and province: the figures of the province's latest publication of the period.
NATIONAL_SCHEMA = (
    "create schema if not exists national;\n"
    "create table if not exists national.province_dti_scores ("
    + ", ".join([*(_column_definition(field) for field in fields(PublishedScore)), _RECORDED_AT,
                 f"primary key ({', '.join(_KEY)})"])
    + ");\n"
    # A national table made before coverage was published gains the column.
    "alter table national.province_dti_scores add column if not exists coverage jsonb not null default '{}'::jsonb;"
)

LATEST_PUBLISHED = (
    f"select distinct on (period) {', '.join(PUBLISHED_COLUMNS)} from audit.published_scores "
    "order by period, published_at desc"
)

_UPSERT = (
    f"insert into national.province_dti_scores ({', '.join(PUBLISHED_COLUMNS)}) "
    f"values ({', '.join(['%s'] * len(PUBLISHED_COLUMNS))}) "
    f"on conflict ({', '.join(_KEY)}) do update set "
    + ", ".join(f"{name} = excluded.{name}" for name in PUBLISHED_COLUMNS if name not in _KEY)
    + ", recorded_at = clock_timestamp() "
    "where excluded.published_at > national.province_dti_scores.published_at"
)


def ensure_national_schema(url: str) -> None:
    with connect(url) as conn:
        conn.execute(NATIONAL_SCHEMA)


def latest_published_scores(province_url: str) -> list[PublishedScore]:
    """The province's latest published figures of each period; none before its first publication."""
    with connect(province_url) as conn:
        if conn.execute("select to_regclass('audit.published_scores')").fetchone()[0] is None:
            return []
        with conn.cursor(row_factory=dict_row) as cursor:
            return [PublishedScore(**row) for row in cursor.execute(LATEST_PUBLISHED)]


def upsert_scores(conn: psycopg.Connection, scores: Sequence[PublishedScore]) -> int:
    """Write each score as its province's row of the period unless a later publication is there
    already; returns how many rows were written."""
    written = 0
    for score in scores:
        values = [getattr(score, name) for name in PUBLISHED_COLUMNS]
        written += conn.execute(_UPSERT, [json.dumps(value) if isinstance(value, dict) else value
                                          for value in values]).rowcount
    return written


def roll_up(server_url: str, national_database: str, provinces: Sequence[Province]) -> dict[str, int]:
    """Copy every province's latest published figures into the national table (created if missing);
    returns province code -> rows written. A province whose warehouse does not exist yet is skipped."""
    national_url = ensure_database(server_url, national_database)
    ensure_national_schema(national_url)
    with connect(server_url) as conn:
        existing = {name for (name,) in conn.execute("select datname from pg_database")}
    written = {}
    with connect(national_url) as national:
        for province in provinces:
            if province.database not in existing:
                written[province.code] = 0
                continue
            scores = latest_published_scores(settings.database_on_server(server_url, province.database))
            strangers = sorted({score.province_code for score in scores} - {province.code})
            if strangers:
                raise ProvinceDataMismatch(
                    f"database {province.database} of province {province.code!r} holds scores published for "
                    f"{', '.join(strangers)}: each province needs its own database (provinces.yml)")
            written[province.code] = upsert_scores(national, scores)
    return written
