-- Dossier records of the province's administrative-procedure system (hồ sơ thủ tục hành chính),
-- one row per version of a dossier received: a dossier changes status over time, and each change
-- comes with a later updated_at. The citizen's id never reaches the warehouse, only its keyed hash.
create table if not exists raw.dossier_records (
    dossier_id          text not null,
    procedure_code      text not null,
    unit_code           text not null,
    filed_at            timestamptz not null,
    channel             text not null,
    full_process        boolean not null,
    status              text not null,
    returned_at         timestamptz,
    citizen_pseudonym   text not null,
    updated_at          timestamptz not null,
    _batch_id           text not null,
    _source             text not null,
    _file_name          text not null,
    -- No foreign key to raw.landed_files: the page is registered in the same transaction as its
    -- rows, and a per-row key check would cost a good part of the load's throughput.
    _file_sha256        text not null,
    _row_number         integer not null,
    _loaded_at          timestamptz not null default now(),
    -- A version lands once. Pages arrive in this order, so the index grows at its right edge.
    primary key (updated_at, dossier_id)
);

-- Where each incremental source stands: the greatest updated_at received, and the cursor of the
-- next page while a sync is under way (null once a sync has reached the end).
create table if not exists raw.sync_watermarks (
    source      text primary key,
    watermark   timestamptz,
    cursor      text,
    updated_at  timestamptz not null default now()
);
