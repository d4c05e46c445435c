{#- The select list of one value source in a union all of sources: the `key` columns, then
    `columns` in their order, each from the source's expression or, where the source has none, a
    null of the column's type. A union all matches columns by position and a bare null in a CTE is
    text, so a column that one source lacks still takes its place and its type. -#}
{% macro value_source_columns(key, columns, expressions) -%}
    {%- for column in expressions if column not in columns %}
        {{ exceptions.raise_compiler_error(
            "value_source_columns: '" ~ column ~ "' is not one of the columns " ~ columns.keys() | join(", ")) }}
    {%- endfor %}
    {%- set select_list = key | list %}
    {%- for column, data_type in columns.items() %}
        {%- set expression = expressions.get(column, "cast(null as " ~ data_type ~ ")") %}
        {%- do select_list.append((expression | indent(8)) ~ " as " ~ column) %}
    {%- endfor %}
    {{- select_list | join(",\n        ") }}
{%- endmacro %}
