{#- The three pillar values the Ministry publishes beside the DTI: digital government (chính quyền
    số), digital economy (kinh tế số), digital society (xã hội số). A pillar is the foundation main
    indices plus that pillar's activity index: their points earned ÷ their max points, e.g. under
    922 government = (foundation + government-activity points) / 700, economy and society / 650.
    Written once, beside the DTI's formula: the marts, the peer pillar check, the merged province's
    peer row and `dti what-if` call it. -#}
{% macro dti_pillars_from_main_index_values(values_relation, group_by) %}
    {%- set group_by = [group_by] if group_by is string else group_by -%}
    {%- set pillars = ["government", "economy", "society"] -%}
    select
    {%- for column in group_by %}
        main_index_values.{{ column }},
    {%- endfor %}
    {%- for pillar in pillars %}
        -- Like the DTI, defined on a complete set only: a scored main index of the pillar without a
        -- value makes it null.
        case
            when count(distinct main_indices.main_index_code) filter (
                where main_indices.max_points > 0
                    and (main_indices.index_group = 'foundation' or main_indices.pillar = '{{ pillar }}')
                    and main_index_values.index_value is not null
            ) = max(framework_pillars.{{ pillar }}_scored_main_indices)
                then sum(cast(main_index_values.index_value as numeric) * main_indices.max_points) filter (
                    where main_indices.index_group = 'foundation' or main_indices.pillar = '{{ pillar }}'
                ) / max(framework_pillars.{{ pillar }}_max_points)
        end as pillar_{{ pillar }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ values_relation }} as main_index_values
    inner join {{ ref('dti_main_indices') }} as main_indices
        on cast(main_index_values.framework_version as text) = cast(main_indices.framework_version as text)
        and main_index_values.main_index_code = main_indices.main_index_code
    inner join (
        select
            cast(framework_version as text) as framework_version,
    {%- for pillar in pillars %}
            -- no max points, hence no value, for a framework without the pillar's activity index
            case
                when count(*) filter (where index_group = 'activity' and pillar = '{{ pillar }}') > 0
                    then sum(max_points) filter (where index_group = 'foundation' or pillar = '{{ pillar }}')
            end as {{ pillar }}_max_points,
            count(*) filter (
                where max_points > 0 and (index_group = 'foundation' or pillar = '{{ pillar }}')
            ) as {{ pillar }}_scored_main_indices{{ "," if not loop.last }}
    {%- endfor %}
        from {{ ref('dti_main_indices') }}
        group by cast(framework_version as text)
    ) as framework_pillars
        on cast(main_index_values.framework_version as text) = framework_pillars.framework_version
    {% if group_by -%}
        group by
        {%- for column in group_by %}
            main_index_values.{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    {%- endif %}
{% endmacro %}
