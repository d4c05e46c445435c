{#- The main indices that peer_dti_results gives a column each, by main_index_code. Smart city has
    none: it earns 0 points under 922 and is gone from 405. -#}
{% macro peer_main_index_columns() %}
    {{ return([
        "awareness", "institutions", "infrastructure", "human_resources", "cybersecurity",
        "digital_government", "digital_economy", "digital_society",
    ]) }}
{% endmacro %}

{#- The main-index values of published peer results (peer_dti_results' columns awareness …
    digital_society) in the long form the DTI and pillar macros read, with the framework version of
    each row's assessment year. Written once for the peer checks and int_peers__published_results. -#}
{% macro peer_main_index_values(peers_relation) -%}
    select
        peers.assessment_year,
        peers.province,
        {{ dti_framework_version_for_year('peers.assessment_year') }} as framework_version,
        published.main_index_code,
        published.index_value
    from {{ peers_relation }} as peers
    cross join lateral (
        values
    {%- for code in peer_main_index_columns() %}
            ('{{ code }}', peers.{{ code }}){{ "," if not loop.last }}
    {%- endfor %}
    ) as published (main_index_code, index_value)
{%- endmacro %}
