-- Schemas and the tables every source kind shares: the register of files received, what was
-- set aside and why, and the validation record. Idempotent: applied at the start of every run.
create schema if not exists raw;
create schema if not exists quarantine;
create schema if not exists audit;

create table if not exists raw.landed_files (
    file_sha256     text primary key,
    source          text not null,
    file_name       text not null,
    unit_code       text,
    period          text,
    archived_path   text not null,
    size_bytes      bigint not null,
    batch_id        text not null,
    -- landed: rows in use; superseded: a later file of the same unit and period replaced it;
    -- quarantined: set aside by the raw quality gate. Rows of every file stay in raw.
    status          text not null check (status in ('landed', 'superseded', 'quarantined')),
    row_count       integer not null default 0,
    rejected_rows   integer not null default 0,
    received_at     timestamptz not null default now()
);

-- When the sender put the file in the inbox (its storage time), to judge on-time submission.
alter table raw.landed_files add column if not exists submitted_at timestamptz;

create table if not exists quarantine.rejected_files (
    file_sha256     text primary key,
    source          text not null,
    file_name       text not null,
    unit_code       text,
    period          text,
    archived_path   text not null,
    reason          text not null,
    batch_id        text not null,
    quarantined_at  timestamptz not null default now()
);

alter table quarantine.rejected_files add column if not exists submitted_at timestamptz;

create table if not exists quarantine.rejected_rows (
    rejected_row_id bigserial primary key,
    file_sha256     text not null,
    file_name       text not null,
    unit_code       text,
    row_number      integer not null,
    column_name     text,
    raw_value       text,
    reason          text not null,
    quarantined_at  timestamptz not null default now()
);
create index if not exists rejected_rows_by_file on quarantine.rejected_rows (file_sha256);

create table if not exists audit.validation_results (
    run_id              text not null,
    suite_name          text not null,
    asset_name          text not null,
    success             boolean not null,
    evaluated           integer not null,
    unsuccessful        integer not null,
    failed_expectations jsonb not null default '[]'::jsonb,
    validated_at        timestamptz not null default now()
);
