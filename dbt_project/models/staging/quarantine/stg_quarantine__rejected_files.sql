with source as (

    select * from {{ source('quarantine', 'rejected_files') }}

),

renamed as (

    select
        cast(file_sha256 as text) as file_sha256,
        cast(source as text) as source_kind,
        cast(file_name as text) as file_name,
        cast(unit_code as text) as unit_code_hint,
        cast(period as text) as period,
        cast(archived_path as text) as archived_path,
        cast(reason as text) as reason,
        cast(batch_id as text) as batch_id,
        cast(submitted_at as timestamptz) as submitted_at,
        cast(quarantined_at as timestamptz) as quarantined_at

    from source

)

select * from renamed
