with source as (

    select * from {{ source('quarantine', 'rejected_rows') }}

),

renamed as (

    select
        cast(rejected_row_id as bigint) as rejected_row_id,
        cast(file_sha256 as text) as file_sha256,
        cast(file_name as text) as file_name,
        cast(unit_code as text) as unit_code,
        cast(row_number as integer) as file_row_number,
        cast(column_name as text) as column_name,
        cast(raw_value as text) as raw_value,
        cast(reason as text) as reason,
        cast(quarantined_at as timestamptz) as quarantined_at

    from source

)

select * from renamed
