-- Rows of the certificate providers' issuance files and of the statistics office's adult population
-- file, mapped to one schema and landed with provenance: the numerator and the denominator of the
-- personal digital signature target. Idempotent: applied at the start of every run.

-- One row per certificate line of a provider's file. The holder's citizen id (CCCD) or tax code is
-- never stored: only its keyed hash, so the same holder can be counted once across providers.
create table if not exists raw.signature_certificates (
    provider            text not null,
    certificate_serial  text not null,
    holder_pseudonym    text not null,
    holder_type         text not null check (holder_type in ('personal', 'organisation')),
    nso_ward_code       text not null,
    issued_on           date not null,
    expires_on          date not null,
    status              text not null check (status in ('active', 'revoked', 'expired')),
    _batch_id           text not null,
    _source             text not null,
    _file_name          text not null,
    _file_sha256        text not null references raw.landed_files (file_sha256),
    _row_number         integer not null,
    _loaded_at          timestamptz not null default now(),
    primary key (_file_sha256, _row_number)
);

-- One row per commune or ward and year of the statistics office's file.
create table if not exists raw.adult_population (
    nso_ward_code       text not null,
    commune_name        text,
    year                integer not null,
    adult_population    integer not null check (adult_population > 0),
    _batch_id           text not null,
    _source             text not null,
    _file_name          text not null,
    _file_sha256        text not null references raw.landed_files (file_sha256),
    _row_number         integer not null,
    _loaded_at          timestamptz not null default now(),
    primary key (_file_sha256, _row_number)
);
