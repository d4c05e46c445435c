with source as (

    select * from {{ source('certificates', 'adult_population') }}

),

renamed as (

    select
        -- population
        cast(nso_ward_code as text) as nso_ward_code,
        cast(commune_name as text) as commune_name_submitted,
        cast(year as integer) as population_year,
        cast(adult_population as integer) as adult_population,

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
