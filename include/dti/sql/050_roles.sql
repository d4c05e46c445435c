-- The roles the pipeline's tasks connect as, each allowed only what its stage does:
--   dti_loader       extract and land: writes raw and quarantine; reads nothing dbt builds
--   dti_transformer  dbt: reads raw and quarantine (its sources), owns the schemas it builds
--   dti_reader       report readers, auditors: reads marts and audit; no raw, quarantine or
--                    staging rows (what units sent, before validation), writes no mart
-- All three append to audit (runs, validations, dbt results, publications); none may change it.
-- Passwords are set from Python (dti.roles.apply_role_passwords), never written here.
-- Idempotent: applied at the start of every run, after the scripts that create the tables.

-- Roles belong to the whole server and several warehouses may share one: create each once, and let
-- a concurrent creation (or change) from another warehouse's setup win. Tasks log in as them.
do $$
declare
    role_name text;
begin
    foreach role_name in array array['dti_loader', 'dti_transformer', 'dti_reader'] loop
        begin
            if not exists (select from pg_roles where rolname = role_name) then
                execute format('create role %I login', role_name);
            elsif not (select rolcanlogin from pg_roles where rolname = role_name) then
                -- dti_reader was created nologin before the tasks connected as it.
                execute format('alter role %I login', role_name);
            end if;
        exception
            when duplicate_object or unique_violation then null;
            when internal_error then
                if sqlerrm <> 'tuple concurrently updated' then
                    raise;
                end if;
        end;
    end loop;
end;
$$;

-- Every role connects; nobody else loses the right to (other tools connect too). Nobody creates in
-- the public schema (PostgreSQL 15's default, kept on older servers too).
do $$
begin
    execute format('grant connect on database %I to dti_loader, dti_transformer, dti_reader', current_database());
end;
$$;
revoke create on schema public from public;

-- The schemas dbt builds (the +schema of dbt_project.yml's folders and the profile's target schema,
-- named as-is by macros/generate_schema_name.sql) exist beforehand and belong to dti_transformer, so
-- dbt creates no schema and needs no CREATE on the database. What the owner running this script
-- built there before (dbt run as the owner in earlier releases) passes to dti_transformer too:
-- dbt replaces a relation by renaming and dropping it, which only its owner may do.
do $$
declare
    dbt_schema text;
    relation record;
begin
    foreach dbt_schema in array array['staging', 'intermediate', 'reference', 'marts'] loop
        execute format('create schema if not exists %I authorization dti_transformer', dbt_schema);
        if (select nspowner from pg_namespace where nspname = dbt_schema) <> 'dti_transformer'::regrole then
            execute format('alter schema %I owner to dti_transformer', dbt_schema);
        end if;
        -- Indexes and the sequences of serial columns follow their table.
        for relation in
            select c.relname, case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
                                             when 'f' then 'foreign table' else 'table' end as kind
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = dbt_schema and c.relkind in ('r', 'p', 'v', 'm', 'f')
              and c.relowner <> 'dti_transformer'::regrole
        loop
            execute format('alter %s %I.%I owner to dti_transformer', relation.kind, dbt_schema, relation.relname);
        end loop;
    end loop;
end;
$$;

-- Grants on "all tables" cover the tables of the scripts before this one; default privileges cover
-- tables that this script's owner creates later (a new script, a hand-made fix).

-- dti_loader: raw and quarantine, rows only (no truncate, no DDL).
grant usage on schema raw, quarantine to dti_loader;
grant select, insert, update, delete on all tables in schema raw, quarantine to dti_loader;
grant usage on all sequences in schema raw, quarantine to dti_loader;
alter default privileges in schema raw, quarantine grant select, insert, update, delete on tables to dti_loader;
alter default privileges in schema raw, quarantine grant usage on sequences to dti_loader;

-- dti_transformer: dbt's sources are in raw and quarantine (the set-aside files are reported).
grant usage on schema raw, quarantine to dti_transformer;
grant select on all tables in schema raw, quarantine to dti_transformer;
alter default privileges in schema raw, quarantine grant select on tables to dti_transformer;

-- dti_reader: the marts, including those dbt rebuilds on every run as dti_transformer (and as this
-- script's owner, when dbt runs as the owner).
grant usage on schema marts to dti_reader;
grant select on all tables in schema marts to dti_reader;
alter default privileges in schema marts grant select on tables to dti_reader;
alter default privileges for role dti_transformer in schema marts grant select on tables to dti_reader;
-- ... and the reference seeds the marts are read with (catalog, grade bands, units, targets): the
-- report and the marts gate join them. They hold the published framework and the province's own
-- configuration, nothing a unit sent.
grant usage on schema reference to dti_reader;
grant select on all tables in schema reference to dti_reader;
alter default privileges in schema reference grant select on tables to dti_reader;
alter default privileges for role dti_transformer in schema reference grant select on tables to dti_reader;

-- audit: every role appends; the reader also reads it all. The triggers of 040_audit.sql refuse
-- update, delete and truncate even to an owner, and no role here is granted them anyway.
grant usage on schema audit to dti_loader, dti_transformer, dti_reader;
grant insert on all tables in schema audit to dti_loader, dti_transformer, dti_reader;
grant usage on all sequences in schema audit to dti_loader, dti_transformer, dti_reader;
grant select on all tables in schema audit to dti_reader;
alter default privileges in schema audit grant insert on tables to dti_loader, dti_transformer, dti_reader;
alter default privileges in schema audit grant usage on sequences to dti_loader, dti_transformer, dti_reader;
alter default privileges in schema audit grant select on tables to dti_reader;
-- Appending reads back a key: record_validation returns the new validation_id, and the dbt results
-- recorder skips a result already recorded (ON CONFLICT needs SELECT on the conflict key's columns).
grant select (validation_id) on audit.validation_results to dti_loader, dti_transformer;
grant select (invocation_id, unique_id) on audit.dbt_results to dti_transformer;
-- The marts' rpt_run_validations, a view the transformer owns, shows the reader what a run's
-- validations found; a view reads with its owner's rights.
grant select on audit.validation_results to dti_transformer;
