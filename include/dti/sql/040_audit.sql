-- The audit trail: what each run did, what every expectation and dbt node found, and the checksum
-- of every file published. Rows are only ever added: a trigger refuses UPDATE, DELETE and TRUNCATE,
-- so a record written by a run stays as it was written. Idempotent: applied at the start of every run.

create or replace function audit.refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit.% is append-only: % refused', tg_table_name, tg_op
        using errcode = 'insufficient_privilege',
              hint = 'Audit records are never changed; add a row that supersedes it instead.';
end;
$$;

-- Two rows per run: 'running' when it starts, then 'success' or 'failed' when it ends, with what
-- each stage reported. A run retried or cleared in Airflow adds rows; the view below shows its last.
create table if not exists audit.pipeline_runs (
    run_id          text not null,
    period          text not null,
    status          text not null check (status in ('running', 'success', 'failed')),
    started_at      timestamptz not null,
    ended_at        timestamptz,
    git_commit      text,
    stage_counts    jsonb not null default '{}'::jsonb,
    recorded_at     timestamptz not null default clock_timestamp()
);
create index if not exists pipeline_runs_by_run on audit.pipeline_runs (run_id, recorded_at);

create or replace view audit.pipeline_run_summary as
select distinct on (run_id) run_id, period, status, started_at, ended_at, git_commit, stage_counts
from audit.pipeline_runs
order by run_id, recorded_at desc;

-- audit.validation_results (001_core.sql) holds one row per suite run; each of its expectations
-- has a row here, passed or not, with what GX observed.
alter table audit.validation_results add column if not exists validation_id bigserial;
create unique index if not exists validation_results_id on audit.validation_results (validation_id);
-- Where an auditor finds the validation in the Data Docs: the name GX shows for its run (the period and
-- the Airflow run id, dti.quality.validation.gx_run_name) and its result page, relative to the published
-- Data Docs folder (output/<province>/quality). Empty on rows written before the Data Docs named runs.
alter table audit.validation_results add column if not exists gx_run_name text;
alter table audit.validation_results add column if not exists data_docs_page text;

create table if not exists audit.expectation_results (
    validation_id       bigint not null references audit.validation_results (validation_id),
    run_id              text not null,
    suite_name          text not null,
    asset_name          text not null,
    expectation_type    text not null,
    column_name         text,
    success             boolean not null,
    observed_value      jsonb,
    unexpected_count    integer,
    unexpected_sample   jsonb not null default '[]'::jsonb,
    recorded_at         timestamptz not null default clock_timestamp()
);
create index if not exists expectation_results_by_run on audit.expectation_results (run_id);

-- Every node result of every dbt invocation of a run, from dbt's run_results.json.
create table if not exists audit.dbt_results (
    run_id              text not null,
    invocation_id       text not null,
    dbt_command         text,
    unique_id           text not null,
    resource_type       text not null,
    status              text not null,
    execution_time      double precision,
    failures            integer,
    message             text,
    recorded_at         timestamptz not null default clock_timestamp(),
    primary key (invocation_id, unique_id)
);
create index if not exists dbt_results_by_run on audit.dbt_results (run_id);

-- What a run published and the sha256 of each file, so a copy can be checked against the record.
create table if not exists audit.publications (
    publication_id  bigserial primary key,
    run_id          text not null,
    period          text not null,
    path            text not null,
    published_at    timestamptz not null default clock_timestamp()
);

create table if not exists audit.published_files (
    publication_id  bigint not null references audit.publications (publication_id),
    relative_path   text not null,
    sha256          text not null,
    size_bytes      bigint not null,
    primary key (publication_id, relative_path)
);

do $$
declare
    audit_table text;
begin
    foreach audit_table in array array['pipeline_runs', 'validation_results', 'expectation_results', 'dbt_results',
                                       'publications', 'published_files'] loop
        execute format('create or replace trigger %I before update or delete on audit.%I '
                       'for each row execute function audit.refuse_change()', audit_table || '_append_only', audit_table);
        execute format('create or replace trigger %I before truncate on audit.%I '
                       'for each statement execute function audit.refuse_change()', audit_table || '_no_truncate', audit_table);
    end loop;
end;
$$;
