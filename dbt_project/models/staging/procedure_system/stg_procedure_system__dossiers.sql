with source as (

    select * from {{ source('procedure_system', 'dossier_records') }}

),

renamed as (

    select
        -- dossier version
        cast(dossier_id as text) as dossier_id,
        cast(updated_at as timestamptz) as updated_at,
        cast(procedure_code as text) as procedure_code,
        cast(unit_code as text) as unit_code,
        cast(filed_at as timestamptz) as filed_at,
        cast(channel as text) as channel,
        cast(full_process as boolean) as is_full_process,
        cast(status as text) as dossier_status,
        cast(returned_at as timestamptz) as returned_at,
        cast(citizen_pseudonym as text) as citizen_pseudonym,

        -- provenance
        cast(_batch_id as text) as batch_id,
        cast(_source as text) as source_kind,
        cast(_file_name as text) as page_request,
        cast(_file_sha256 as text) as file_sha256,
        cast(_row_number as integer) as page_row_number,
        cast(_loaded_at as timestamptz) as loaded_at

    from source

)

select * from renamed
