with source as (

    select * from {{ source('raw', 'landed_files') }}

),

renamed as (

    select
        cast(file_sha256 as text) as file_sha256,
        cast(source as text) as source_kind,
        cast(file_name as text) as file_name,
        cast(unit_code as text) as unit_code,
        cast(period as text) as period,
        cast(archived_path as text) as archived_path,
        cast(size_bytes as bigint) as size_bytes,
        cast(batch_id as text) as batch_id,
        cast(status as text) as file_status,
        cast(row_count as integer) as row_count,
        cast(rejected_rows as integer) as rejected_row_count,
        cast(received_at as timestamptz) as received_at,
        cast(submitted_at as timestamptz) as submitted_at

    from source

)

select * from renamed
