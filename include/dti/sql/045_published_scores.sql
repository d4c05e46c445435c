-- The province's DTI as each run published it: what the national roll-up (dti.national) gathers
-- from every province's warehouse, so the national table holds only figures that passed the marts
-- gate and reached the report. Append-only like the rest of the audit trail (040_audit.sql).
create table if not exists audit.published_scores (
    run_id              text not null,
    period              text not null,
    province_code       text not null,
    province_name_vi    text not null,
    framework_version   text not null,
    dti_score           double precision not null,  -- as marts.fct_dti_scores holds it
    grade_code          text,
    grade_vi            text,
    -- main-index code -> value (0–1) in the period's framework
    main_index_values   jsonb not null default '{}'::jsonb,
    published_at        timestamptz not null default clock_timestamp()
);
-- What stands behind the DTI (fct_dti_scores): estimate or not, its range, the official components
-- measured out of the framework's count. Added after the table first shipped, hence its own statement.
alter table audit.published_scores add column if not exists coverage jsonb not null default '{}'::jsonb;
create index if not exists published_scores_by_period on audit.published_scores (period, published_at);

create or replace trigger published_scores_append_only before update or delete on audit.published_scores
    for each row execute function audit.refuse_change();
create or replace trigger published_scores_no_truncate before truncate on audit.published_scores
    for each statement execute function audit.refuse_change();
