"""The pipeline's roles on real PostgreSQL, each proven through a connection that logs in as it:
dti_loader writes raw and quarantine only, dti_transformer reads them and builds the dbt schemas,
dti_reader reads marts and audit only; all three append to audit and none can change it.

Roles are server-wide and other test databases on the same server use them too: the tests assume
they may already exist and never drop them; a test that sets passwords puts the old ones back.
"""

from __future__ import annotations

import json
import threading
import time

import psycopg
import pytest
import yaml

from dti import audit, roles, warehouse
from dti.quality.validation import ExpectationOutcome, ValidationSummary, record_validation
from dti.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.integration

LOADER, TRANSFORMER, READER = roles.LOADER, roles.TRANSFORMER, roles.READER
DBT_SCHEMAS = ("staging", "intermediate", "reference", "marts")
FORGED_FILE = ("insert into raw.landed_files (file_sha256, source, file_name, archived_path, size_bytes, batch_id, "
               "status) values ('forged', 'inbox', 'x.xlsx', '/archive', 1, 'b9', 'landed')")


def as_role(url: str, role: str) -> psycopg.Connection:
    return psycopg.connect(roles.role_url(url, role), autocommit=True)


@pytest.fixture()
def built_warehouse(database_url) -> str:
    """The schema applied, rows landed and recorded by the owner, then what dbt builds, built as
    dti_transformer: a staging view over raw, a reference seed and a mart."""
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("insert into raw.landed_files (file_sha256, source, file_name, archived_path, size_bytes, "
                     "batch_id, status) values (%s, 'inbox', 'snv.xlsx', '/archive', 1, 'b1', 'landed')", ("a" * 64,))
        conn.execute("insert into quarantine.rejected_files (file_sha256, source, file_name, archived_path, reason, "
                     "batch_id) values (%s, 'inbox', 'bad.xlsx', '/archive', 'unreadable', 'b1')", ("b" * 64,))
        audit.record_run_started(conn, "run-1", "2026-Q3")
    with as_role(database_url, TRANSFORMER) as conn:
        conn.execute("create view staging.stg_units as select distinct unit_code from raw.landed_files")
        conn.execute("create table reference.grade_bands as select 'good'::text as grade_code")
        conn.execute("create table marts.fct_dti_scores as "
                     "select '2026-Q3'::text as period, 0.61::numeric as dti_score")
    return database_url


@pytest.mark.parametrize("role", roles.ROLES)
def test_every_role_logs_in_as_itself(built_warehouse, role):
    with as_role(built_warehouse, role) as conn:
        assert conn.execute("select current_user, session_user").fetchone() == (role, role)


ALLOWED = [
    (LOADER, FORGED_FILE),
    (LOADER, "update raw.landed_files set status = 'superseded' returning file_sha256"),
    (LOADER, "delete from raw.landed_files where status = 'landed' returning file_sha256"),
    (LOADER, "insert into quarantine.rejected_rows (file_sha256, file_name, row_number, reason) "
             "values ('a', 'snv.xlsx', 2, 'not a number') returning rejected_row_id"),
    (LOADER, "select count(*) from quarantine.rejected_files"),
    (TRANSFORMER, "select count(*) from raw.landed_files"),
    (TRANSFORMER, "select count(*) from quarantine.rejected_files"),
    (TRANSFORMER, "create table marts.fct_new as select 1 as x"),
    (TRANSFORMER, "create view intermediate.int_new as select * from staging.stg_units"),
    (TRANSFORMER, "drop table marts.fct_dti_scores"),
    (READER, "select period, dti_score from marts.fct_dti_scores"),
    (READER, "select run_id, status from audit.pipeline_runs"),
    (READER, "select run_id from audit.pipeline_run_summary"),
    (READER, "select grade_code from reference.grade_bands"),
    *[(role, "insert into audit.pipeline_runs (run_id, period, status, started_at) "
             "values ('run-2', '2026-Q3', 'running', now())") for role in roles.ROLES],
]


@pytest.mark.parametrize(("role", "statement"), ALLOWED)
def test_each_role_may_do_what_its_stage_does(built_warehouse, role, statement):
    with as_role(built_warehouse, role) as conn:
        conn.execute(statement)


REFUSED = [
    (LOADER, "select * from marts.fct_dti_scores"),
    (LOADER, "create table marts.forged (x int)"),
    (LOADER, "select * from staging.stg_units"),
    (LOADER, "select * from reference.grade_bands"),
    (LOADER, "select * from audit.pipeline_runs"),
    (LOADER, "truncate raw.landed_files cascade"),
    (LOADER, "create table raw.forged (x int)"),
    (LOADER, "drop table quarantine.rejected_files"),
    (TRANSFORMER, FORGED_FILE),
    (TRANSFORMER, "update raw.landed_files set status = 'superseded'"),
    (TRANSFORMER, "delete from quarantine.rejected_files"),
    (TRANSFORMER, "create table raw.forged (x int)"),
    (TRANSFORMER, "select * from audit.pipeline_runs"),
    (READER, "select * from raw.landed_files"),
    (READER, "select * from quarantine.rejected_files"),
    (READER, "select * from staging.stg_units"),
    (READER, "insert into marts.fct_dti_scores values ('2026-Q4', 1)"),
    (READER, "update marts.fct_dti_scores set dti_score = 1"),
    (READER, "create table marts.forged (x int)"),
    (READER, FORGED_FILE),
    *[(role, statement) for role in roles.ROLES for statement in (
        "update audit.pipeline_runs set status = 'success'",
        "delete from audit.pipeline_runs",
        "truncate audit.pipeline_runs",
        "create table audit.forged (x int)",
        "create table public.forged (x int)",
        "create schema forged",
    )],
]


@pytest.mark.parametrize(("role", "statement"), REFUSED)
def test_each_role_is_refused_what_its_stage_does_not_do(built_warehouse, role, statement):
    with as_role(built_warehouse, role) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_the_reader_reads_a_mart_the_transformer_rebuilds_after_setup(built_warehouse):
    # dbt's table materialization: build beside, swap by renaming, drop the old one.
    with as_role(built_warehouse, TRANSFORMER) as conn:
        conn.execute("create table marts.fct_dti_scores__dbt_tmp as select '2026-Q4'::text as period, 0.7 as dti_score")
        conn.execute("alter table marts.fct_dti_scores rename to fct_dti_scores__dbt_backup")
        conn.execute("alter table marts.fct_dti_scores__dbt_tmp rename to fct_dti_scores")
        conn.execute("drop table marts.fct_dti_scores__dbt_backup")
        conn.execute("create view marts.rpt_latest as select * from marts.fct_dti_scores")
    with as_role(built_warehouse, READER) as conn:
        assert conn.execute("select period from marts.fct_dti_scores").fetchall() == [("2026-Q4",)]
        assert conn.execute("select period from marts.rpt_latest").fetchall() == [("2026-Q4",)]


def test_what_the_owner_built_before_passes_to_the_transformer(built_warehouse):
    """Warehouses where dbt ran as the owner: the next setup hands its relations to dti_transformer,
    so dbt running as it can replace them, and the reader still reads the owner's marts."""
    with psycopg.connect(built_warehouse, autocommit=True) as conn:
        conn.execute("create table marts.fct_old as select 1 as x")
        conn.execute("create view staging.stg_old as select 1 as x")
        conn.execute("create table reference.old_seed (id bigserial primary key)")
    warehouse.ensure_schemas(built_warehouse)
    with psycopg.connect(built_warehouse) as conn:
        owners = conn.execute(
            "select n.nspname, c.relname, c.relowner::regrole::text from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace where n.nspname = any(%s) and c.relkind in ('r', 'v', 'S')",
            (list(DBT_SCHEMAS),)).fetchall()
    assert {owner for *_, owner in owners} == {TRANSFORMER}
    assert ("reference", "old_seed_id_seq", TRANSFORMER) in owners
    with as_role(built_warehouse, READER) as conn:
        assert conn.execute("select x from marts.fct_old").fetchall() == [(1,)]
    with as_role(built_warehouse, TRANSFORMER) as conn:
        conn.execute("alter table marts.fct_old rename to fct_old__dbt_backup")
        conn.execute("drop table marts.fct_old__dbt_backup")
        conn.execute("create or replace view staging.stg_old as select 1 as x")
        conn.execute("truncate reference.old_seed")
        conn.execute("insert into reference.old_seed default values")


def test_every_schema_dbt_builds_exists_and_belongs_to_the_transformer(database_url):
    """The schemas are created before dbt runs, so dbt needs no CREATE on the database; a +schema
    added to dbt_project.yml without adding it to 050_roles.sql fails here."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    configured = set(_schemas_configured(project))
    configured |= {target["schema"] for target in profile["dti"]["outputs"].values()}
    warehouse.ensure_schemas(database_url)
    with psycopg.connect(database_url) as conn:
        owners = dict(conn.execute("select nspname, nspowner::regrole::text from pg_namespace "
                                   "where nspname = any(%s)", (sorted(configured),)).fetchall())
    assert owners == {schema: TRANSFORMER for schema in configured}
    assert configured == set(DBT_SCHEMAS)


def _schemas_configured(node):
    """Every ``+schema`` value anywhere in dbt_project.yml (models and seeds alike)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "+schema":
                yield value
            else:
                yield from _schemas_configured(value)


def test_each_role_records_its_stage_in_the_audit_trail_through_the_pipeline_s_own_functions(
        built_warehouse, tmp_path):
    summary = ValidationSummary("raw_submissions", "raw_self_assessment_rows", True, 1, 0, outcomes=[
        ExpectationOutcome("expect_column_values_to_not_be_null", "unit_code", True, None, 0, [])])
    run_results = tmp_path / "run_results.json"
    run_results.write_text(json.dumps({"metadata": {"invocation_id": "inv-1"}, "args": {"which": "run"}, "results": [
        {"unique_id": "model.dti.fct_dti_scores", "status": "success", "execution_time": 0.5, "failures": None,
         "message": "SELECT 1"}]}))
    published = tmp_path / "published"
    published.mkdir()
    (published / "index.html").write_bytes(b"report")

    with as_role(built_warehouse, LOADER) as conn:  # the raw gate: returns the new validation id
        record_validation(conn, "run-1", summary)
    with as_role(built_warehouse, TRANSFORMER) as conn:  # Cosmos' callback: skips what it recorded
        assert audit.record_dbt_results(conn, "run-1", run_results) == 1
        audit.record_dbt_results(conn, "run-1", run_results)
    with as_role(built_warehouse, READER) as conn:  # publish: returns the new publication id
        audit.record_publication(conn, "run-1", "2026-Q3", published)
        counts = [conn.execute(f"select count(*) from audit.{table}").fetchone()[0] for table in
                  ("validation_results", "expectation_results", "dbt_results", "publications", "published_files")]
    assert counts == [1, 1, 1, 1, 1]


def test_applying_the_schema_again_keeps_the_roles_and_their_grants(built_warehouse):
    warehouse.ensure_schemas(built_warehouse)
    warehouse.ensure_schemas(built_warehouse)
    with psycopg.connect(built_warehouse) as conn:
        found = conn.execute("select rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls "
                             "from pg_roles where rolname = any(%s) order by rolname", (list(roles.ROLES),)).fetchall()
    assert found == [(role, True, False, False, False, False) for role in sorted(roles.ROLES)]
    with as_role(built_warehouse, LOADER) as conn:
        conn.execute(FORGED_FILE)
    with as_role(built_warehouse, TRANSFORMER) as conn:
        assert conn.execute("select count(*) from raw.landed_files").fetchone() == (2,)
    with as_role(built_warehouse, READER) as conn:
        assert conn.execute("select count(*) from marts.fct_dti_scores").fetchone() == (1,)


@pytest.fixture()
def saved_passwords(postgres_server_url):
    """The roles' stored passwords, put back after the test (other databases' tests share the roles)."""
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        saved = dict(conn.execute("select rolname, rolpassword from pg_authid where rolname = any(%s)",
                                  (list(roles.ROLES),)).fetchall())
        yield conn
        for role, stored in saved.items():
            conn.execute(psycopg.sql.SQL("alter role {} password {}").format(
                psycopg.sql.Identifier(role), psycopg.sql.Literal(stored)))


def stored_password(conn: psycopg.Connection, role: str) -> str | None:
    return conn.execute("select rolpassword from pg_authid where rolname = %s", (role,)).fetchone()[0]


def test_passwords_come_from_the_environment_hashed_and_are_kept_when_unset(
        built_warehouse, saved_passwords, monkeypatch):
    password = "it's a \\ \"quoted\" mật khẩu; drop role dti_reader; --"
    monkeypatch.setenv("DTI_LOADER_PASSWORD", password)
    monkeypatch.delenv("DTI_TRANSFORMER_PASSWORD", raising=False)
    monkeypatch.setenv("DTI_READER_PASSWORD", "")
    transformer_before = stored_password(saved_passwords, TRANSFORMER)
    reader_before = stored_password(saved_passwords, READER)

    warehouse.ensure_schemas(built_warehouse)

    stored = stored_password(saved_passwords, LOADER)
    assert stored.startswith(("SCRAM-SHA-256$", "md5")) and password not in stored
    assert stored_password(saved_passwords, TRANSFORMER) == transformer_before
    assert stored_password(saved_passwords, READER) == reader_before
    with as_role(built_warehouse, LOADER) as conn:  # the server here trusts; the URL still parses
        conn.execute(FORGED_FILE)


def test_a_password_set_by_another_warehouse_at_the_same_moment_does_not_fail_the_setup(
        built_warehouse, saved_passwords, monkeypatch):
    """Two provinces' runs scheduled alike set the same server-wide role at once: the later waits
    for the earlier to commit, is refused ('tuple concurrently updated') and tries again."""
    monkeypatch.setenv("DTI_READER_PASSWORD", "from this warehouse")
    earlier = psycopg.connect(built_warehouse)
    earlier.execute("alter role dti_reader password 'from the other warehouse'")
    outcome: list = []
    later = psycopg.connect(built_warehouse)
    later_pid = later.info.backend_pid

    def set_passwords():
        try:
            with later:
                outcome.append(roles.apply_role_passwords(later))
        except Exception as error:  # reported by the assertion below
            outcome.append(error)

    worker = threading.Thread(target=set_passwords)
    worker.start()
    _wait_until_blocked(saved_passwords, later_pid)
    earlier.commit()
    earlier.close()
    worker.join(timeout=30)
    assert outcome == [[READER]]
    assert stored_password(saved_passwords, READER).startswith(("SCRAM-SHA-256$", "md5"))


def _wait_until_blocked(conn: psycopg.Connection, pid: int) -> None:
    for _ in range(200):
        waiting = conn.execute("select wait_event_type from pg_stat_activity where pid = %s", (pid,)).fetchone()
        if waiting and waiting[0] == "Lock":
            return
        time.sleep(0.05)
    raise AssertionError("the second ALTER ROLE never waited for the first")

