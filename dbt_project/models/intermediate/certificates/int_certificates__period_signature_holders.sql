-- Adults holding a valid personal digital-signature certificate on the period's last day, from
-- the providers' registers received for the period, against the adult population of the
-- statistics office's latest year not after the period. A person holding certificates from two
-- providers counts once (by the keyed hash of their id).
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

usable_files as (

    select file_sha256
    from {{ ref('stg_submissions__landed_files') }}
    where file_status <> 'quarantined'

),

population as (

    select
        population_year,
        sum(adult_population) as adult_population
    from {{ ref('stg_certificates__adult_population') }}
    where file_sha256 in (select usable_files.file_sha256 from usable_files)
    group by population_year

),

period_population as (

    select distinct on (periods.period)
        periods.period,
        population.population_year,
        population.adult_population
    from periods
    inner join population
        on periods.assessment_year >= population.population_year
    order by periods.period asc, population.population_year desc

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
