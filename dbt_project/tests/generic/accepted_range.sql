{% test accepted_range(model, column_name, min_value=none, max_value=none, min_inclusive=true, max_inclusive=true) -%}
    select {{ column_name }}
    from {{ model }}
    where
        false
    {%- if min_value is not none %}
        or {{ column_name }} {{ '<' if min_inclusive else '<=' }} {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
        or {{ column_name }} {{ '>' if max_inclusive else '>=' }} {{ max_value }}
    {%- endif %}
{%- endtest %}
