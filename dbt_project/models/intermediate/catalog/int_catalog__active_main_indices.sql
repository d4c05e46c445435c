select
    framework_version,
    main_index_code,
    name_vi,
    name_en,
    index_group,
    pillar,
    max_points
from {{ ref('dti_main_indices') }}
where framework_version = '{{ var("dti_framework_version") }}'
