-- Values of the components the Ministry measures itself (automated measurement, surveys), as the
-- focal point received them and dropped them in the inbox, with provenance. Idempotent: applied at
-- the start of every run. The roles' grants (050_roles.sql) cover the raw schema's tables.

-- One row per component of a file. Every file's rows stay; the latest value of a component for a
-- period is chosen in dbt, so a later file replaces an earlier one component by component.
create table if not exists raw.ministry_component_values (
    period              text not null,
    component_code      text not null,
    -- a rate as 0–1, 1/0.5/0 for yes/partly/no, or a count: as the component's scoring rule reads it
    value               numeric not null,
    value_as_written    text,
    source_document     text not null,
    published_on        date,
    _batch_id           text not null,
    _source             text not null,
    _file_name          text not null,
    _file_sha256        text not null references raw.landed_files (file_sha256),
    _row_number         integer not null,
    _loaded_at          timestamptz not null default now(),
    primary key (_file_sha256, _row_number)
);
