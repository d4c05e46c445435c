-- Rows of the units' self-assessment workbooks, as received, with provenance.
create table if not exists raw.self_assessment_rows (
    unit_code           text not null,
    unit_name           text,
    period              text not null,
    component_code      text not null,
    component_name      text,
    numerator           numeric,
    denominator         numeric,
    -- The figure of a component not scored as a ratio: 1/0 for yes/no, 0.5 for partly, or a count.
    reported_value      numeric,
    evidence_document   text,
    _batch_id           text not null,
    _source             text not null,
    _file_name          text not null,
    _file_sha256        text not null references raw.landed_files (file_sha256),
    _row_number         integer not null,
    _loaded_at          timestamptz not null default now(),
    primary key (_file_sha256, _row_number)
);

-- Warehouses created before the column existed get it too (run on every start, like the create).
alter table raw.self_assessment_rows add column if not exists reported_value numeric;
