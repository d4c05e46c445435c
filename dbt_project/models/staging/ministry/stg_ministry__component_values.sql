with source as (

    select * from {{ source('ministry', 'ministry_component_values') }}

),

renamed as (

    select
        -- value
        cast(period as text) as period,
        cast(component_code as text) as component_code,
        cast(value as numeric) as component_value,
        cast(value_as_written as text) as value_as_written,
        cast(source_document as text) as source_document,
        cast(published_on as date) as published_on,

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
