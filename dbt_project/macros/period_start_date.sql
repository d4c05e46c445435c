{% macro period_start_date(period) %}
    {#- The first day of an assessment period label: 'YYYY-Qn', 'YYYY-MM' or 'YYYY'. -#}
    case
        when {{ period }} ~ '^\d{4}-Q[1-4]$'
            then make_date(left({{ period }}, 4)::int, right({{ period }}, 1)::int * 3 - 2, 1)
        when {{ period }} ~ '^\d{4}-(0[1-9]|1[0-2])$'
            then make_date(left({{ period }}, 4)::int, right({{ period }}, 2)::int, 1)
        when {{ period }} ~ '^\d{4}$'
            then make_date({{ period }}::int, 1, 1)
    end
{% endmacro %}
