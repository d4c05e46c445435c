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
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from dti import settings
from dti.provinces import Province
from dti.warehouse import connect, ensure_database

NATIONAL_SCHEMA = """
create schema if not exists national;
-- One row per period and province: the figures of the province's latest publication of the period.
create table if not exists national.province_dti_scores (
    period              text not null,
    province_code       text not null,
    province_name_vi    text not null,
    framework_version   text not null,
    dti_score           double precision not null,  -- as marts.fct_dti_scores holds it
    grade_code          text,
    grade_vi            text,
    main_index_values   jsonb not null,
    -- what stands behind the DTI: estimate or not, range, official components measured (audit.published_scores)
    coverage            jsonb not null default '{}'::jsonb,
    run_id              text not null,
    published_at        timestamptz not null,
    recorded_at         timestamptz not null default clock_timestamp(),
    primary key (period, province_code)
);
alter table national.province_dti_scores add column if not exists coverage jsonb not null default '{}'::jsonb;
"""

LATEST_PUBLISHED = """
select distinct on (period) run_id, period, province_code, province_name_vi, framework_version, dti_score,
       grade_code, grade_vi, main_index_values, coverage, published_at
from audit.published_scores
order by period, published_at desc
"""


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
        written += conn.execute(
            "insert into national.province_dti_scores (period, province_code, province_name_vi, framework_version, "
            "dti_score, grade_code, grade_vi, main_index_values, coverage, run_id, published_at) "
            "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "on conflict (period, province_code) do update set province_name_vi = excluded.province_name_vi, "
            "framework_version = excluded.framework_version, dti_score = excluded.dti_score, "
            "grade_code = excluded.grade_code, grade_vi = excluded.grade_vi, "
            "main_index_values = excluded.main_index_values, coverage = excluded.coverage, run_id = excluded.run_id, "
            "published_at = excluded.published_at, recorded_at = clock_timestamp() "
            "where excluded.published_at > national.province_dti_scores.published_at",
            (score.period, score.province_code, score.province_name_vi, score.framework_version, score.dti_score,
             score.grade_code, score.grade_vi, json.dumps(score.main_index_values), json.dumps(score.coverage),
             score.run_id,
             score.published_at),
        ).rowcount
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
