{#- Scoring rule "ratio" of the DTI catalog (dti_components.scoring_rule = 'ratio'). -#}

{% macro score_ratio_rate(numerator, denominator) -%}
    ({{ numerator }} / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- least() skips nulls in PostgreSQL, so a component without data is given 0 points explicitly. -#}
{% macro score_ratio_points(achieved_rate, target_rate, max_points) -%}
    case
        when {{ achieved_rate }} is null then 0
        else least({{ achieved_rate }} / {{ target_rate }}, 1) * {{ max_points }}
    end
{%- endmacro %}
