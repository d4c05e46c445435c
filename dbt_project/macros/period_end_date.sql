{% macro period_end_date(period) %}
    {#- The last day of an assessment period label: 'YYYY-Qn', 'YYYY-MM' or 'YYYY'. -#}
    case
        when {{ period }} ~ '^\d{4}-Q[1-4]$'
            then (make_date(left({{ period }}, 4)::int, right({{ period }}, 1)::int * 3, 1)
                  + interval '1 month' - interval '1 day')::date
        when {{ period }} ~ '^\d{4}-(0[1-9]|1[0-2])$'
            then (make_date(left({{ period }}, 4)::int, right({{ period }}, 2)::int, 1)
                  + interval '1 month' - interval '1 day')::date
        when {{ period }} ~ '^\d{4}$'
            then make_date({{ period }}::int, 12, 31)
    end
{% endmacro %}
