{#- Models and seeds land in the schema named by their folder's +schema config
    (staging, intermediate, marts, reference), not in "<target schema>_<custom>". -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
