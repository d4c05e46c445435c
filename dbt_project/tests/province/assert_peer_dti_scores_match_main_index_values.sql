-- Returns every published peer result that has all the main-index values of its framework and
-- whose DTI recomputed from them differs from the published dti_score by more than 0.0001 (the
-- published scores are rounded to 4 decimals).

with peer_results as (

    select
        assessment_year,
        province,
        dti_score,
        {{ dti_framework_version_for_year('assessment_year') }} as framework_version
    from {{ ref('peer_dti_results') }}
    where dti_score is not null

),

main_index_values as (

    {{ peer_main_index_values(ref('peer_dti_results')) }}

),

recomputed as (

    {{ dti_from_main_index_values('main_index_values', ['assessment_year', 'province']) }}

)

select
    peer_results.assessment_year,
    peer_results.province,
    peer_results.framework_version,
    peer_results.dti_score as published_dti_score,
    recomputed.dti_score as recomputed_dti_score
from peer_results
inner join recomputed
    on peer_results.assessment_year = recomputed.assessment_year
    and peer_results.province = recomputed.province
where recomputed.dti_score is not null
    and abs(recomputed.dti_score - peer_results.dti_score) > 0.0001
