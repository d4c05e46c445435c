{{ config(materialized='view') }}
-- What each expectation suite found in each run, over every asset it validated: the report's
-- quality section. A view, because the marts gate validates these very marts after the build.
-- A retried validation of an asset counts once, as its last result.
with last_results as (

    select distinct on (run_id, suite_name, asset_name)
        run_id,
        suite_name,
        asset_name,
        success,
        expectations_evaluated,
        expectations_failed
    from {{ ref('stg_audit__validation_results') }}
    order by run_id asc, suite_name asc, asset_name asc, validated_at desc

)

select
    run_id,
    suite_name,
    cast(count(*) as integer) as validations,
    cast(count(*) filter (where success) as integer) as validations_passed,
    cast(sum(expectations_evaluated) as integer) as expectations_evaluated,
    cast(sum(expectations_failed) as integer) as expectations_failed
from last_results
group by run_id, suite_name
