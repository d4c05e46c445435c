-- Where the province's DTI of each period would stand among the other provinces' published
-- results: the latest year published by the period's assessment year (or the latest at all when
-- none was published by then), without the province's own published row. Published years give
-- few scores, so the rank is bounded: a peer counts as ahead only when it is known to be ahead
-- (estimated_rank, the best case) and as behind only when it is known to be behind
-- (worst_case_rank). The same bounds of the DTI's range give the rank's range: the best place
-- the highest DTI could earn and the worst the lowest could (rank_range_best … rank_range_worst).
{%- set own_province = var("dti_peer_province_name", "Bắc Ninh") %}

with province_dti as (

    select
        period,
        assessment_year,
        dti_score,
        dti_score_lowest,
        dti_score_highest
    from {{ ref('fct_dti_scores') }}
    where scope_type = 'province'

),

-- each DTI placed among the peers: the estimate and both bounds of its range
province_scores as (

    select
        province_dti.period,
        province_dti.assessment_year,
        scored.score_kind,
        scored.dti_score
    from province_dti
    cross join lateral (
        values
        ('estimate', province_dti.dti_score),
        ('lowest', province_dti.dti_score_lowest),
        ('highest', province_dti.dti_score_highest)
    ) as scored (score_kind, dti_score)

),

published as (

    select * from {{ ref('int_peers__published_results') }}

),

own_results as (

    select
        assessment_year,
        rank as own_rank
    from published
    where province = '{{ own_province }}'

),

peers as (

    select published.*
    from published
    where published.province <> '{{ own_province }}'

),

-- years in which at least one peer's score was published
published_years as (

    select distinct assessment_year as compared_year
    from peers
    where dti_score is not null

),

compared_years as (

    select
        province_scores.period,
        province_scores.assessment_year,
        province_scores.score_kind,
        province_scores.dti_score,
        coalesce(
            max(published_years.compared_year) filter (
                where published_years.compared_year <= province_scores.assessment_year
            ),
            max(published_years.compared_year)
        ) as compared_year
    from province_scores
    left join published_years
        on true
    group by
        province_scores.period, province_scores.assessment_year, province_scores.score_kind,
        province_scores.dti_score

),

-- the peers' places once the province's own published row is taken out: a peer ranked below
-- the province moves up one place
peer_places as (

    select
        peers.assessment_year,
        peers.province,
        peers.rank,
        peers.dti_score,
        peers.rank - case when own_results.own_rank < peers.rank then 1 else 0 end as place_among_peers
    from peers
    left join own_results
        on peers.assessment_year = own_results.assessment_year

),

tenth_places as (

    select
        assessment_year,
        max(dti_score) as tenth_place_score
    from peer_places
    where place_among_peers = 10
    group by assessment_year

),

-- a peer without a published score is ahead when its published rank is at least as good as that
-- of a scored peer ahead of the province, and behind when its rank is at least as bad as that
-- of a scored peer behind the province
known_ranks as (

    select
        compared_years.period,
        compared_years.score_kind,
        max(peer_places.rank) filter (where peer_places.dti_score > compared_years.dti_score) as worst_rank_ahead,
        min(peer_places.rank) filter (where peer_places.dti_score < compared_years.dti_score) as best_rank_behind
    from compared_years
    inner join peer_places
        on compared_years.compared_year = peer_places.assessment_year
    group by compared_years.period, compared_years.score_kind

),

peer_counts as (

    select
        compared_years.period,
        compared_years.score_kind,
        count(peer_places.dti_score) as peers_with_score,
        count(peer_places.rank) as peers_ranked,
        count(*) filter (
            where peer_places.dti_score > compared_years.dti_score
            or (peer_places.dti_score is null and peer_places.rank <= known_ranks.worst_rank_ahead)
        ) as peers_ahead,
        -- peers not known to be behind nor to share the province's score
        count(*) filter (
            where not coalesce(
                peer_places.dti_score <= compared_years.dti_score
                or (peer_places.dti_score is null and peer_places.rank >= known_ranks.best_rank_behind),
                false
            )
        ) as peers_maybe_ahead
    from compared_years
    inner join peer_places
        on compared_years.compared_year = peer_places.assessment_year
    left join known_ranks
        on compared_years.period = known_ranks.period
        and compared_years.score_kind = known_ranks.score_kind
    group by compared_years.period, compared_years.score_kind

),

ranked as (

    select
        compared_years.period,
        compared_years.score_kind,
        compared_years.assessment_year,
        compared_years.dti_score,
        compared_years.compared_year,
        peer_counts.peers_with_score,
        peer_counts.peers_ranked,
        peer_counts.peers_ahead,
        peer_counts.peers_maybe_ahead,
        case
            when compared_years.dti_score is not null
                then cast(1 + coalesce(peer_counts.peers_ahead, 0) as integer)
        end as estimated_rank,
        case
            when compared_years.dti_score is not null
                then cast(1 + coalesce(peer_counts.peers_maybe_ahead, 0) as integer)
        end as worst_case_rank
    from compared_years
    left join peer_counts
        on compared_years.period = peer_counts.period
        and compared_years.score_kind = peer_counts.score_kind

)

select
    estimate.period,
    estimate.assessment_year,
    estimate.dti_score,
    estimate.compared_year,
    cast(coalesce(estimate.peers_with_score, 0) as integer) as peers_with_score,
    cast(coalesce(estimate.peers_ranked, 0) as integer) as peers_ranked,
    estimate.estimated_rank,
    estimate.worst_case_rank,
    highest.estimated_rank as rank_range_best,
    lowest.worst_case_rank as rank_range_worst,
    tenth_places.tenth_place_score,
    tenth_places.tenth_place_score - estimate.dti_score as gap_to_top10,
    case
        when estimate.dti_score is null then null
        when estimate.dti_score >= tenth_places.tenth_place_score then true
        when estimate.dti_score < tenth_places.tenth_place_score then false
        when 1 + estimate.peers_maybe_ahead <= 10 then true
        when 1 + estimate.peers_ahead > 10 then false
    end as in_top10
from ranked as estimate
left join ranked as highest
    on estimate.period = highest.period
    and highest.score_kind = 'highest'
left join ranked as lowest
    on estimate.period = lowest.period
    and lowest.score_kind = 'lowest'
left join tenth_places
    on estimate.compared_year = tenth_places.assessment_year
where estimate.score_kind = 'estimate'
