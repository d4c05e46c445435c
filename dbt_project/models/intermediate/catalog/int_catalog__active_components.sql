select
    framework_version,
    component_code,
    main_index_code,
    max_points,
    scoring_rule,
    target_rate,
    reported_by
from {{ ref('dti_components') }}
where framework_version = '{{ var("dti_framework_version") }}'
