-- The chain behind every score, for auditors: one row per score and source row that fed it,
-- from the points and the rule, through the value, to the row as reported and the archived file
-- it came from. A score with no source row (nothing reported) keeps one row with no source, so
-- every score of fct_component_scores is traceable. Dossiers and certificate registers number
-- thousands of rows a period: they are traced to the page or file, with the rows it gave.

{#- What every source row of a score gives, in this order; a source without a column gives a null
    of its type. -#}
{%- set score_key = [
    'scores.period', 'scores.scope_type', 'scores.scope_code', 'scores.catalog_code', 'scores.component_code',
] -%}
{%- set source_columns = {
    'source_kind': 'text',
    'source_component_code': 'text',
    'source_unit_code': 'text',
    'file_row_number': 'integer',
    'source_rows': 'bigint',
    'reported_numerator': 'numeric',
    'reported_denominator': 'numeric',
    'reported_value': 'numeric',
    'source_value': 'numeric',
    'evidence_document': 'text',
    'counts_in_value': 'boolean',
    'batch_id': 'text',
    'file_sha256': 'text',
    'loaded_at': 'timestamptz',
} %}
with scores as (

    select * from {{ ref('fct_component_scores') }}

),

period_components as (

    select * from {{ ref('int_catalog__period_components') }}

),

periods as (

    select * from {{ ref('int_catalog__periods') }}

),

unit_values as (

    select * from {{ ref('int_self_assessment__unit_component_values') }}

),

submission_rows as (

    select * from {{ ref('stg_submissions__self_assessment_rows') }}

),

landed_files as (

    select * from {{ ref('stg_submissions__landed_files') }}

),

reporting_units as (

    select
        unit_code,
        name_vi
    from {{ ref('reporting_units') }}

),

-- the reported row behind each unit value; its provenance comes from the row itself
unit_source_rows as (

    select
        unit_values.period,
        unit_values.unit_code,
        unit_values.unit_catalog,
        unit_values.component_code,
        unit_values.scoring_rule,
        unit_values.numerator,
        unit_values.denominator,
        unit_values.reported_value,
        unit_values.component_value,
        unit_values.evidence_document,
        unit_values.file_sha256,
        unit_values.file_row_number,
        submission_rows.batch_id,
        submission_rows.loaded_at
    from unit_values
    left join submission_rows
        on unit_values.file_sha256 = submission_rows.file_sha256
        and unit_values.file_row_number = submission_rows.file_row_number

),

{#- a unit's reported row, as it traces the unit's score and the province's scores it feeds -#}
{%- set unit_source_row = {
    'source_kind': "'self_assessment_row'",
    'source_component_code': 'unit_source_rows.component_code',
    'source_unit_code': 'unit_source_rows.unit_code',
    'file_row_number': 'unit_source_rows.file_row_number',
    'source_rows': 'case when unit_source_rows.file_sha256 is not null then 1 end',
    'reported_numerator': 'unit_source_rows.numerator',
    'reported_denominator': 'unit_source_rows.denominator',
    'reported_value': 'unit_source_rows.reported_value',
    'source_value': 'unit_source_rows.component_value',
    'evidence_document': 'unit_source_rows.evidence_document',
    'counts_in_value': 'unit_source_rows.component_value is not null',
    'batch_id': 'unit_source_rows.batch_id',
    'file_sha256': 'unit_source_rows.file_sha256',
    'loaded_at': 'unit_source_rows.loaded_at',
} -%}

{#- a unit's row counts in the province's value only if the province's aggregation reads it: a ratio
    of sums reads the counts, the others the unit's value -#}
{%- set counts_in_province_value -%}
case period_components.province_aggregation
    when 'ratio_of_sums'
        then unit_source_rows.numerator is not null and unit_source_rows.denominator is not null
    else unit_source_rows.component_value is not null
end
{%- endset %}

unit_scores_traced as (

    select
        {{ value_source_columns(score_key, source_columns, unit_source_row) }}
    from scores
    inner join unit_source_rows
        on scores.period = unit_source_rows.period
        and scores.scope_code = unit_source_rows.unit_code
        and scores.catalog_code = unit_source_rows.unit_catalog
        and scores.component_code = unit_source_rows.component_code
    where scores.scope_type = 'unit'

),

-- every unit that answers for the source component, as int_province__component_values reads them
province_from_unit_reports as (

    select
        {{ value_source_columns(
            score_key, source_columns, dict(unit_source_row, counts_in_value=counts_in_province_value)
        ) }}
    from scores
    inner join period_components
        on scores.period = period_components.period
        and scores.component_code = period_components.component_code
    inner join unit_source_rows
        on period_components.period = unit_source_rows.period
        and period_components.source_component_code = unit_source_rows.component_code
    where scores.scope_type = 'province'
        and period_components.value_source = 'unit_reports'

),

-- the page of each dossier's latest version, as int_procedure_system__period_dossier_counts counts them
dossier_pages as (

    select
        periods.period,
        dossiers.file_sha256,
        dossiers.batch_id,
        max(dossiers.loaded_at) as loaded_at,
        count(*) as dossiers_filed,
        count(*) filter (where dossiers.channel = 'online' and dossiers.is_full_process)
            as dossiers_full_process_online
    from {{ ref('int_procedure_system__latest_dossiers') }} as dossiers
    inner join periods
        on (dossiers.filed_at at time zone 'Asia/Ho_Chi_Minh')::date
        between periods.period_start and periods.period_end
    group by periods.period, dossiers.file_sha256, dossiers.batch_id

),

province_from_procedure_system as (

    select
        {{ value_source_columns(score_key, source_columns, {
            'source_kind': "'dossier_page'",
            'source_rows': 'dossier_pages.dossiers_filed',
            'reported_numerator': 'cast(dossier_pages.dossiers_full_process_online as numeric)',
            'reported_denominator': 'cast(dossier_pages.dossiers_filed as numeric)',
            'counts_in_value': 'true',
            'batch_id': 'dossier_pages.batch_id',
            'file_sha256': 'dossier_pages.file_sha256',
            'loaded_at': 'dossier_pages.loaded_at',
        }) }}
    from scores
    inner join dossier_pages
        on scores.period = dossier_pages.period
    where scores.scope_type = 'province'
        and scores.value_source = 'procedure_system'

),

-- the registers of the period and the certificates each gave, as int_certificates__period_signature_holders
-- counts them (a holder in two registers counts once in the value, once in each register here)
signature_registers as (

    select
        landed_files.period,
        certificates.file_sha256,
        certificates.batch_id,
        max(certificates.loaded_at) as loaded_at,
        count(*) as certificates_counted,
        count(distinct certificates.holder_pseudonym) as holders
    from {{ ref('stg_certificates__signature_certificates') }} as certificates
    inner join landed_files
        on certificates.file_sha256 = landed_files.file_sha256
        and landed_files.file_status in ('landed', 'superseded')
    inner join periods
        on landed_files.period = periods.period
    where certificates.holder_type = 'personal'
        and certificates.certificate_status = 'active'
        and certificates.issued_on <= periods.period_end
        and certificates.expires_on > periods.period_end
    group by landed_files.period, certificates.file_sha256, certificates.batch_id

),

signature_holders as (

    select * from {{ ref('int_certificates__period_signature_holders') }}

),

population_files as (

    select
        signature_holders.period,
        population.file_sha256,
        population.batch_id,
        max(population.loaded_at) as loaded_at,
        count(*) as communes,
        sum(population.adult_population) as adult_population
    from signature_holders
    inner join {{ ref('stg_certificates__adult_population') }} as population
        on signature_holders.population_year = population.population_year
    inner join landed_files
        on population.file_sha256 = landed_files.file_sha256
        and landed_files.file_status <> 'quarantined'
    group by signature_holders.period, population.file_sha256, population.batch_id

),

province_from_signature_registers as (

    select
        {{ value_source_columns(score_key, source_columns, {
            'source_kind': "'signature_register'",
            'source_rows': 'signature_registers.certificates_counted',
            'reported_numerator': 'cast(signature_registers.holders as numeric)',
            'counts_in_value': 'true',
            'batch_id': 'signature_registers.batch_id',
            'file_sha256': 'signature_registers.file_sha256',
            'loaded_at': 'signature_registers.loaded_at',
        }) }}
    from scores
    inner join signature_registers
        on scores.period = signature_registers.period
    where scores.scope_type = 'province'
        and scores.value_source = 'signature_certificates'

),

province_from_population_files as (

    select
        {{ value_source_columns(score_key, source_columns, {
            'source_kind': "'population_file'",
            'source_rows': 'population_files.communes',
            'reported_denominator': 'cast(population_files.adult_population as numeric)',
            'counts_in_value': 'true',
            'batch_id': 'population_files.batch_id',
            'file_sha256': 'population_files.file_sha256',
            'loaded_at': 'population_files.loaded_at',
        }) }}
    from scores
    inner join population_files
        on scores.period = population_files.period
    where scores.scope_type = 'province'
        and scores.value_source = 'signature_certificates'

),

ministry_values as (

    select * from {{ ref('int_ministry__latest_component_values') }}

),

-- the focal point's row of the Ministry's value, with the document the Ministry published or sent
province_from_ministry as (

    select
        {{ value_source_columns(score_key, source_columns, {
            'source_kind': "'ministry_value'",
            'file_row_number': 'ministry_values.file_row_number',
            'source_rows': '1',
            'reported_value': 'cast(ministry_values.component_value as numeric)',
            'source_value': 'cast(ministry_values.component_value as numeric)',
            'evidence_document': 'ministry_values.source_document',
            'counts_in_value': 'true',
            'batch_id': 'ministry_values.batch_id',
            'file_sha256': 'ministry_values.file_sha256',
            'loaded_at': 'ministry_values.loaded_at',
        }) }}
    from scores
    inner join ministry_values
        on scores.period = ministry_values.period
        and scores.component_code = ministry_values.component_code
    where scores.scope_type = 'province'
        and scores.value_source = 'ministry'

),

traced_sources as (

    select * from unit_scores_traced
    union all
    select * from province_from_unit_reports
    union all
    select * from province_from_procedure_system
    union all
    select * from province_from_signature_registers
    union all
    select * from province_from_population_files
    union all
    select * from province_from_ministry

)

select
    -- the score
    scores.period,
    scores.scope_type,
    scores.scope_code,
    scores.catalog_code,
    scores.component_code,
    scores.name_vi,
    scores.name_en,
    scores.points,
    scores.score_status,
    -- the rule
    scores.scoring_rule,
    scores.target_value,
    scores.max_points,
    -- the value
    scores.numerator,
    scores.denominator,
    scores.component_value,
    scores.value_source,
    period_components.province_aggregation,
    -- the source row
    traced_sources.source_kind,
    traced_sources.source_unit_code,
    reporting_units.name_vi as source_unit_name_vi,
    traced_sources.source_component_code,
    traced_sources.file_row_number,
    (traced_sources.source_rows)::integer as source_rows,
    traced_sources.reported_numerator,
    traced_sources.reported_denominator,
    traced_sources.reported_value,
    traced_sources.source_value,
    traced_sources.evidence_document,
    coalesce(traced_sources.counts_in_value, false) as counts_in_value,
    -- the file
    traced_sources.batch_id,
    landed_files.file_name,
    traced_sources.file_sha256,
    landed_files.archived_path,
    landed_files.size_bytes,
    landed_files.submitted_at,
    landed_files.received_at,
    traced_sources.loaded_at,
    landed_files.file_status
from scores
left join traced_sources
    on scores.period = traced_sources.period
    and scores.scope_type = traced_sources.scope_type
    and scores.scope_code = traced_sources.scope_code
    and scores.catalog_code = traced_sources.catalog_code
    and scores.component_code = traced_sources.component_code
left join period_components
    on scores.scope_type = 'province'
    and scores.period = period_components.period
    and scores.component_code = period_components.component_code
left join reporting_units
    on traced_sources.source_unit_code = reporting_units.unit_code
left join landed_files
    on traced_sources.file_sha256 = landed_files.file_sha256
