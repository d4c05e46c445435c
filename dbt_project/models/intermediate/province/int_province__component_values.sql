-- The value of every province-level component of each period's framework, from where the
-- catalog says it comes (value_source): the units' reports aggregated the catalog's way
-- (province_aggregation), the procedure system's dossiers, the signature-certificate registers,
-- or the value the Ministry measured itself. A rate over units is a ratio of sums, never a mean of
-- the units' ratios. A component whose source delivered nothing for the period, or whose
-- denominator is 0 (nothing to measure), has no value and says why (no_data_reason_vi/en): it is
-- scored `no_data`, never 0 (int_scoring__component_points).

{#- What every value source gives for a component, in this order; a source without the counts
    behind its value, or without units, gives nulls of their types. -#}
{%- set component_key = ['components.period', 'components.component_code'] -%}
{%- set value_columns = {
    'numerator': 'numeric',
    'denominator': 'numeric',
    'component_value': 'numeric',
    'units_reported': 'bigint',
    'units_responsible': 'bigint',
    'registers_received': 'bigint',
} %}
{#- Why a component has no data, in Vietnamese and English; null where it has. Units that did
    not report leave a value missing, not absent: the rules score a unit's silence 0 and the
    province can chase it (rpt_units_to_urge), so only a denominator of 0 over the units'
    reports counts as no data. A Ministry value not yet sent is `awaiting`, not no data. -#}
{%- set no_data_reasons = [
    ("value_source = 'procedure_system' and coalesce(denominator, 0) = 0",
        "'hệ thống thủ tục hành chính không gửi hồ sơ nào nộp trong kỳ ' || period",
        "'no dossier received for ' || period"),
    ("value_source = 'signature_certificates' and coalesce(registers_received, 0) = 0",
        "'chưa nhận sổ chứng thư số nào của các nhà cung cấp cho kỳ ' || period",
        "'no certificate register received for ' || period"),
    ("value_source = 'signature_certificates' and denominator is null",
        "'chưa có tệp dân số trưởng thành cho năm của kỳ ' || period",
        "'no adult population file for the year of ' || period"),
    ("denominator = 0 and component_value is null",
        "'mẫu số bằng 0 trong kỳ ' || period || ': không có trường hợp nào để đo'",
        "'denominator of 0 in ' || period || ': nothing to measure'"),
] %}
with components as (

    select * from {{ ref('int_catalog__period_components') }}

),

unit_values as (

    select * from {{ ref('int_self_assessment__unit_component_values') }}

),

dossier_counts as (

    select * from {{ ref('int_procedure_system__period_dossier_counts') }}

),

signature_holders as (

    select * from {{ ref('int_certificates__period_signature_holders') }}

),

ministry_values as (

    select * from {{ ref('int_ministry__latest_component_values') }}

),

-- the providers' registers received for each period: with none, a count of 0 holders is no
-- measurement at all
certificate_registers as (

    select
        period,
        count(*) as registers_received
    from {{ ref('stg_submissions__landed_files') }}
    where source_kind = 'certificate_provider'
        and file_status in ('landed', 'superseded')
    group by period

),

{#- Only units that give both counts add to the sums, so that the ratio of sums compares like with like. -#}
{%- set units_numerator = 'sum(unit_values.numerator) filter (where unit_values.denominator is not null)' -%}
{%- set units_denominator = 'sum(unit_values.denominator) filter (where unit_values.numerator is not null)' -%}
{%- set units_value -%}
case min(components.province_aggregation)
    when 'ratio_of_sums' then {{ units_numerator }} / nullif({{ units_denominator }}, 0)
    when 'mean' then avg(unit_values.component_value)
    when 'sum' then sum(unit_values.component_value)
    when 'single' then max(unit_values.component_value)
end
{%- endset %}

from_unit_reports as (

    select
        {{ value_source_columns(component_key, value_columns, {
            'numerator': units_numerator,
            'denominator': units_denominator,
            'component_value': units_value,
            'units_reported': 'count(unit_values.component_value)',
            'units_responsible': 'count(unit_values.unit_code)',
        }) }}
    from components
    left join unit_values
        on components.period = unit_values.period
        and components.source_component_code = unit_values.component_code
    where components.value_source = 'unit_reports'
    group by components.period, components.component_code

),

from_procedure_system as (

    select
        {{ value_source_columns(component_key, value_columns, {
            'numerator': 'cast(dossier_counts.dossiers_full_process_online as numeric)',
            'denominator': 'cast(dossier_counts.dossiers_filed as numeric)',
            'component_value':
                'dossier_counts.dossiers_full_process_online / nullif(cast(dossier_counts.dossiers_filed as numeric), 0)',
        }) }}
    from components
    inner join dossier_counts
        on components.period = dossier_counts.period
    where components.value_source = 'procedure_system'

),

{#- holders are counted only from a register received for the period -#}
{%- set holders_counted =
    'case when certificate_registers.registers_received > 0 then signature_holders.adults_with_signature end' %}

from_signature_certificates as (

    select
        {{ value_source_columns(component_key, value_columns, {
            'numerator': 'cast(' ~ holders_counted ~ ' as numeric)',
            'denominator': 'cast(signature_holders.adult_population as numeric)',
            'component_value':
                holders_counted ~ ' / nullif(cast(signature_holders.adult_population as numeric), 0)',
            'registers_received': 'coalesce(certificate_registers.registers_received, 0)',
        }) }}
    from components
    inner join signature_holders
        on components.period = signature_holders.period
    left join certificate_registers
        on components.period = certificate_registers.period
    where components.value_source = 'signature_certificates'

),

from_ministry as (

    -- the Ministry gives the value itself, never the counts behind it
    select
        {{ value_source_columns(component_key, value_columns, {
            'component_value': 'ministry_values.component_value',
        }) }}
    from components
    inner join ministry_values
        on components.period = ministry_values.period
        and components.component_code = ministry_values.component_code
    where components.value_source = 'ministry'

),

component_values as (

    select * from from_unit_reports
    union all
    select * from from_procedure_system
    union all
    select * from from_signature_certificates
    union all
    select * from from_ministry

),

with_values as (

    select
        components.period,
        components.framework_version,
        components.component_code,
        components.value_source,
        component_values.numerator,
        component_values.denominator,
        component_values.component_value,
        component_values.units_reported,
        component_values.units_responsible,
        component_values.registers_received
    from components
    left join component_values
        on components.period = component_values.period
        and components.component_code = component_values.component_code

),

reasoned as (

    select
        *,
        case
            {% for condition, reason_vi, reason_en in no_data_reasons %}
                when {{ condition }} then {{ reason_vi }}
            {% endfor %}
        end as no_data_reason_vi,
        case
            {% for condition, reason_vi, reason_en in no_data_reasons %}
                when {{ condition }} then {{ reason_en }}
            {% endfor %}
        end as no_data_reason_en
    from with_values

)

select
    period,
    framework_version,
    component_code,
    value_source,
    numerator,
    denominator,
    -- a value computed without data (a count of 0 holders with no register) is no value
    case when no_data_reason_vi is null then component_value end as component_value,
    units_reported,
    units_responsible,
    no_data_reason_vi,
    no_data_reason_en
from reasoned
