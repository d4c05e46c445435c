with source as (

    select * from {{ source('audit', 'validation_results') }}

),

renamed as (

    select
        cast(run_id as text) as run_id,
        cast(suite_name as text) as suite_name,
        cast(asset_name as text) as asset_name,
        cast(success as boolean) as success,
        cast(evaluated as integer) as expectations_evaluated,
        cast(unsuccessful as integer) as expectations_failed,
        cast(validated_at as timestamptz) as validated_at

    from source

)

select * from renamed
