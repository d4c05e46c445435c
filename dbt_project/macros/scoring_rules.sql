{#-
    The scoring rules of the DTI catalogs (scoring_rule in dti_components and unit_components).
    Each takes the component's value and returns points in 0 … max_points, or null without a
    value (PostgreSQL's least() and greatest() skip nulls, so each rule checks for one first);
    score_component turns that null into 0 points, and the calling model flags it `missing`.
-#}

{#- ratio: value ÷ target, capped at 1, × max points (full points from the target on). -#}
{% macro score_ratio(value, target_value, max_points) -%}
    case when {{ value }} is not null then least(greatest({{ value }}, 0) / nullif({{ target_value }}, 0), 1) * {{ max_points }} end
{%- endmacro %}

{#- boolean: full points for yes (1), none for no (0). -#}
{% macro score_boolean(value, max_points) -%}
    case when {{ value }} >= 1 then {{ max_points }} else 0 end
{%- endmacro %}

{#- yes_partial_no: full points for yes (1), half for partly (0.5), none for no (0). -#}
{% macro score_yes_partial_no(value, max_points) -%}
    case
        when {{ value }} >= 1 then {{ max_points }}
        when {{ value }} >= 0.5 then {{ max_points }} * 0.5
        else 0
    end
{%- endmacro %}

{#- count_capped: a count scored in proportion up to a cap (target_value), full points from the cap on. -#}
{% macro score_count_capped(value, cap, max_points) -%}
    case when {{ value }} is not null then least(greatest({{ value }}, 0) / nullif({{ cap }}, 0), 1) * {{ max_points }} end
{%- endmacro %}

{#- categorical: the value is the share of the points the chosen answer earns (its points_share in
    dti_component_options, stored by the reader), × max points; clamped to 0–1 so that no value can
    earn more than the maximum or less than nothing. -#}
{% macro score_categorical(value, max_points) -%}
    case when {{ value }} is not null then least(greatest({{ value }}, 0), 1) * {{ max_points }} end
{%- endmacro %}

{#- tiered: the points of the highest band (dti_component_tiers) whose lower bound the value reaches;
    `tier_points` is that band's points, found by the caller, null below every band. -#}
{% macro score_tiered(tier_points, max_points) -%}
    case when {{ tier_points }} is not null then least({{ tier_points }}, {{ max_points }}) end
{%- endmacro %}

{#- The rule named by `scoring_rule`, applied; 0 points without a value or for an unknown rule. -#}
{% macro score_component(scoring_rule, value, target_value, max_points, tier_points) -%}
    coalesce(
        case {{ scoring_rule }}
            when 'ratio' then {{ score_ratio(value, target_value, max_points) }}
            when 'boolean' then {{ score_boolean(value, max_points) }}
            when 'yes_partial_no' then {{ score_yes_partial_no(value, max_points) }}
            when 'count_capped' then {{ score_count_capped(value, target_value, max_points) }}
            when 'tiered' then {{ score_tiered(tier_points, max_points) }}
            when 'categorical' then {{ score_categorical(value, max_points) }}
        end,
        0
    )
{%- endmacro %}
