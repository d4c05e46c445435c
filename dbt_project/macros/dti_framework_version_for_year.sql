{#- The framework version in force for an assessment year (dti_framework_versions: valid_from_year
    to valid_to_year, an empty valid_to_year is open-ended), as text; null for a year before
    every framework. -#}
{% macro dti_framework_version_for_year(assessment_year) -%}
    (
        select cast(framework_versions.framework_version as text)
        from {{ ref('dti_framework_versions') }} as framework_versions
        where {{ assessment_year }} >= framework_versions.valid_from_year
            and (framework_versions.valid_to_year is null or {{ assessment_year }} <= framework_versions.valid_to_year)
    )
{%- endmacro %}
