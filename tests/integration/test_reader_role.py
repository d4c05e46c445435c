"""The dti_reader role on real PostgreSQL: auditors, report readers and the publish task read the
marts and the audit trail, including marts built after the role was granted, and nothing else; they
change nothing, and only append to the audit trail (``test_roles.py`` covers the appending).

The role is cluster-wide and other test databases on the same server use it too: the tests
assume it may already exist and never drop it. They log in as the role, as the tasks do.
"""

from __future__ import annotations

import psycopg
import pytest

from dti import audit, roles, warehouse

READER = roles.READER


@pytest.fixture()
def built_warehouse(database_url) -> str:
    """The schema applied, then what dbt and the stages create afterwards: a mart table, a staging
    view, a reference seed, and rows in raw, quarantine and audit."""
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("create table marts.fct_dti_scores as "
                     "select '2026-Q3'::text as period, 0.61::numeric as dti_score")
        conn.execute("create schema if not exists staging")
        conn.execute("create view staging.stg_units as select 'SNV'::text as unit_code")
        conn.execute("create schema if not exists reference")
        conn.execute("create table reference.grade_bands as select 'good'::text as grade_code")
        conn.execute("insert into raw.landed_files (file_sha256, source, file_name, archived_path, size_bytes, "
                     "batch_id, status) values (%s, 'inbox', 'snv.xlsx', '/archive', 1, 'b1', 'landed')",
                     ("a" * 64,))
        conn.execute("insert into quarantine.rejected_files (file_sha256, source, file_name, archived_path, reason, "
                     "batch_id) values (%s, 'inbox', 'bad.xlsx', '/archive', 'unreadable', 'b1')", ("b" * 64,))
        audit.record_run_started(conn, "run-1", "2026-Q3")
    return database_url


def as_reader(url: str) -> psycopg.Connection:
    return psycopg.connect(roles.role_url(url, READER), autocommit=True)


def test_the_reader_reads_the_marts_and_the_audit_trail(built_warehouse):
    with as_reader(built_warehouse) as conn:
        assert conn.execute("select current_user").fetchone() == (READER,)
        assert conn.execute("select period, dti_score::float8 from marts.fct_dti_scores").fetchall() == [
            ("2026-Q3", 0.61)]
        assert conn.execute("select run_id, status from audit.pipeline_runs").fetchall() == [("run-1", "running")]
        assert conn.execute("select run_id from audit.pipeline_run_summary").fetchall() == [("run-1",)]
        assert conn.execute("select count(*) from audit.validation_results").fetchone() == (0,)
        # The seeds the report joins the marts with: published catalogs and the province's own settings.
        assert conn.execute("select grade_code from reference.grade_bands").fetchall() == [("good",)]


@pytest.mark.parametrize("relation", ["raw.landed_files", "quarantine.rejected_files", "staging.stg_units"])
def test_the_reader_cannot_read_outside_the_marts_and_the_audit_trail(built_warehouse, relation):
    with as_reader(built_warehouse) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"select * from {relation}")


@pytest.mark.parametrize("statement", [
    "insert into marts.fct_dti_scores values ('2026-Q4', 1)",
    "update marts.fct_dti_scores set dti_score = 1",
    "delete from marts.fct_dti_scores",
    "truncate marts.fct_dti_scores",
    "drop table marts.fct_dti_scores",
    "delete from audit.pipeline_runs",
    "insert into raw.landed_files (file_sha256, source, file_name, archived_path, size_bytes, batch_id, status) "
    "values ('c', 'inbox', 'x', '/a', 1, 'b', 'landed')",
    "create table marts.forged (x int)",
    "create table audit.forged (x int)",
    "create table raw.forged (x int)",
    "create table public.forged (x int)",
    "create view marts.forged as select 1 as x",
    "create schema forged",
])
def test_the_reader_changes_and_creates_nothing(built_warehouse, statement):
    with as_reader(built_warehouse) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_applying_the_schema_again_keeps_the_role_and_its_grants(built_warehouse):
    warehouse.ensure_schemas(built_warehouse)
    with psycopg.connect(built_warehouse) as conn:
        [(count, can_login)] = conn.execute(
            "select count(*), bool_or(rolcanlogin) from pg_roles where rolname = %s", (READER,)).fetchall()
    assert (count, can_login) == (1, True)
    with as_reader(built_warehouse) as conn:
        assert conn.execute("select count(*) from marts.fct_dti_scores").fetchone() == (1,)
