with source as (

    select * from {{ source('raw', 'self_assessment_rows') }}

),

renamed as (

    select
        -- submission
        cast(unit_code as text) as unit_code,
        cast(unit_name as text) as unit_name_submitted,
        cast(period as text) as period,
        cast(component_code as text) as component_code,
        cast(component_name as text) as component_name_submitted,
        cast(numerator as numeric) as numerator,
        cast(denominator as numeric) as denominator,
        cast(reported_value as numeric) as reported_value,
        cast(evidence_document as text) as evidence_document,

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
