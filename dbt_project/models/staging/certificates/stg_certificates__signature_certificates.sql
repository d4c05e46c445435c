with source as (

    select * from {{ source('certificates', 'signature_certificates') }}

),

renamed as (

    select
        -- certificate
        -- RF04 waived: `provider` is the documented column name, and PROVIDER is only a
        -- non-reserved keyword in PostgreSQL, valid as a column name without quoting
        cast(provider as text) as provider,  -- noqa: RF04
        cast(certificate_serial as text) as certificate_serial,
        cast(holder_pseudonym as text) as holder_pseudonym,
        cast(holder_type as text) as holder_type,
        cast(nso_ward_code as text) as nso_ward_code,
        cast(issued_on as date) as issued_on,
        cast(expires_on as date) as expires_on,
        cast(status as text) as certificate_status,

        -- provenance
        cast(_batch_id as text) as batch_id,
        cast(_source as text) as source_kind,
        cast(_file_name as text) as file_name,
        cast(_file_sha256 as text) as file_sha256,
        cast(_row_number as integer) as file_row_number,
        cast(_loaded_at as timestamptz) as loaded_at

    from source

)

select * from renamed
