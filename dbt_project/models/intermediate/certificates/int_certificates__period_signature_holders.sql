-- Adults holding a valid personal digital-signature certificate on the period's last day, from
-- the providers' registers received for the period, against the adult population of the
-- statistics office's latest year not after the period, as delivered by the period's end. A
-- person holding certificates from two providers counts once (by the keyed hash of their id).
with periods as (

    select * from {{ ref('int_catalog__periods') }}

),

landed_files as (

    select
        file_sha256,
        period
    from {{ ref('stg_submissions__landed_files') }}
    where file_status in ('landed', 'superseded')

),

certificates as (

    select
        landed_files.period,
        certificates.holder_pseudonym
    from {{ ref('stg_certificates__signature_certificates') }} as certificates
    inner join landed_files
        on certificates.file_sha256 = landed_files.file_sha256
    inner join periods
        on landed_files.period = periods.period
    where certificates.holder_type = 'personal'
        and certificates.certificate_status = 'active'
        and certificates.issued_on <= periods.period_end
        and certificates.expires_on > periods.period_end

),

holders as (

    select
        period,
        count(distinct holder_pseudonym) as adults_with_signature
    from certificates
    group by period

),

-- the statistics office's deliveries: the usable files landed for one period, summed per year
population_deliveries as (

    select
        population.population_year,
        landed_files.period as delivered_for_period,
        landing_periods.period_end as delivered_for_period_end,
        sum(population.adult_population) as adult_population
    from {{ ref('stg_certificates__adult_population') }} as population
    inner join {{ ref('stg_submissions__landed_files') }} as landed_files
        on population.file_sha256 = landed_files.file_sha256
    inner join periods as landing_periods
        on landed_files.period = landing_periods.period
    where landed_files.file_status <> 'quarantined'
    group by population.population_year, landed_files.period, landing_periods.period_end

),

-- A period reads the latest year not after its own, as delivered by its own end: the same
-- figures whatever order the periods are scored in, and a later delivery for the same year never
-- adds to an earlier one.
period_population as (

    select distinct on (periods.period)
        periods.period,
        population_deliveries.population_year,
        population_deliveries.adult_population
    from periods
    inner join population_deliveries
        on periods.assessment_year >= population_deliveries.population_year
        and periods.period_end >= population_deliveries.delivered_for_period_end
    order by
        periods.period asc,
        population_deliveries.population_year desc,
        population_deliveries.delivered_for_period_end desc

)

select
    periods.period,
    coalesce(holders.adults_with_signature, 0) as adults_with_signature,
    period_population.population_year,
    period_population.adult_population
from periods
left join holders
    on periods.period = holders.period
left join period_population
    on periods.period = period_population.period
