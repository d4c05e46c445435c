{#- The provincial DTI from main-index values (Decision 922/QĐ-BTTTT, 405/QĐ-BKHCN):
    Σ main-index value × main-index max points ÷ the framework's total points (1000).
    The only place this formula is written: the marts, the peer check, the merged province's peer
    row and `dti what-if` call it; its pillars are beside it (dti_pillars_from_main_index_values). -#}
{% macro dti_from_main_index_values(values_relation, group_by) %}
    {%- set group_by = [group_by] if group_by is string else group_by -%}
    select
    {%- for column in group_by %}
        main_index_values.{{ column }},
    {%- endfor %}
        -- A DTI is defined on a complete set only: a scored main index without a value makes it null.
        case
            when count(distinct main_indices.main_index_code) filter (
                where main_indices.max_points > 0 and main_index_values.index_value is not null
            ) = max(frameworks.scored_main_indices)
                then sum(cast(main_index_values.index_value as numeric) * main_indices.max_points)
                    / max(frameworks.total_points)
        end as dti_score
    from {{ values_relation }} as main_index_values
    inner join {{ ref('dti_main_indices') }} as main_indices
        on cast(main_index_values.framework_version as text) = cast(main_indices.framework_version as text)
        and main_index_values.main_index_code = main_indices.main_index_code
    inner join (
        select
            cast(framework_version as text) as framework_version,
            sum(max_points) as total_points,
            count(*) filter (where max_points > 0) as scored_main_indices
        from {{ ref('dti_main_indices') }}
        group by cast(framework_version as text)
    ) as frameworks
        on cast(main_index_values.framework_version as text) = frameworks.framework_version
    {% if group_by -%}
        group by
        {%- for column in group_by %}
            main_index_values.{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    {%- endif %}
{% endmacro %}
