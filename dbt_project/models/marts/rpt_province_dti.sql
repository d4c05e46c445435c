-- The province's DTI of each period as the report's headline and the workbook's summary sheet
-- print it: score, grade, range and coverage, the framework it was scored on and the legal
-- document that defines it, and where it would stand among the other provinces.
with province_scores as (

    select * from {{ ref('fct_dti_scores') }}
    where scope_type = 'province'

),

frameworks as (

    select * from {{ ref('dti_framework_versions') }}

),

grades as (

    select * from {{ ref('grade_bands') }}

),

peer_rank as (

    select * from {{ ref('rpt_peer_rank') }}

)

select
    province_scores.period,
    province_scores.assessment_year,
    province_scores.catalog_code,
    frameworks.legal_document,
    frameworks.name_vi as framework_name_vi,
    frameworks.name_en as framework_name_en,
    frameworks.component_counts_verified,
    province_scores.points,
    province_scores.max_points,
    province_scores.dti_score,
    province_scores.dti_score_lowest,
    province_scores.dti_score_highest,
    province_scores.is_estimate,
    province_scores.grade_code,
    province_scores.grade_vi,
    grades.grade_en,
    province_scores.pillar_government,
    province_scores.pillar_economy,
    province_scores.pillar_society,
    province_scores.official_component_count,
    province_scores.components_measured,
    province_scores.components_official_measured,
    province_scores.components_proxy_measured,
    province_scores.components_awaiting,
    province_scores.official_coverage,
    province_scores.components_in_scope,
    province_scores.components_missing,
    province_scores.components_no_data,
    province_scores.previous_period,
    province_scores.previous_dti_score,
    province_scores.dti_change,
    peer_rank.compared_year,
    peer_rank.peers_with_score,
    peer_rank.estimated_rank,
    peer_rank.worst_case_rank,
    peer_rank.rank_range_best,
    peer_rank.rank_range_worst,
    peer_rank.tenth_place_score,
    peer_rank.gap_to_top10,
    peer_rank.in_top10
from province_scores
left join frameworks
    on province_scores.catalog_code = frameworks.framework_version
left join grades
    on province_scores.grade_code = grades.grade_code
left join peer_rank
    on province_scores.period = peer_rank.period
