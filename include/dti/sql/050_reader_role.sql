-- dti_reader: auditors and report readers read the marts and the audit trail, and nothing else:
-- no raw, staging or quarantine rows (they hold what units sent before validation), no writes.
-- Roles belong to the whole server and several warehouses may share one: create it once, and let
-- a concurrent creation elsewhere win. Idempotent: applied at the start of every run.
do $$
begin
    if not exists (select from pg_roles where rolname = 'dti_reader') then
        create role dti_reader nologin;
    end if;
exception
    when duplicate_object or unique_violation then null;
end;
$$;

-- dbt creates marts on its first run; the schema exists beforehand so it can be granted now.
create schema if not exists marts;

-- Readers connect but never create, here or in the public schema (PostgreSQL 15's default, kept on
-- older servers too).
do $$
begin
    execute format('grant connect on database %I to dti_reader', current_database());
end;
$$;
revoke create on schema public from public;

grant usage on schema marts, audit to dti_reader;
grant select on all tables in schema marts, audit to dti_reader;
-- Tables that this role creates later (dbt rebuilds every mart on each run) are readable too.
alter default privileges in schema marts grant select on tables to dti_reader;
alter default privileges in schema audit grant select on tables to dti_reader;
