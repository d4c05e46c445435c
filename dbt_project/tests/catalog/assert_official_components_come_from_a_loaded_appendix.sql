-- Returns every province component that claims to be `official` without an appendix of its own
-- framework loaded behind it (dti_catalog_appendices, written by `dti catalog import`), and
-- every component that names an appendix without being `official`: only the Ministry's appendix
-- makes a row official.

select
    components.framework_version,
    components.component_code,
    components.provenance,
    components.appendix_ref,
    appendices.framework_version as appendix_framework_version
from {{ ref('dti_components') }} as components
left join {{ ref('dti_catalog_appendices') }} as appendices
    on components.appendix_ref = appendices.appendix_ref
where
    (
        components.provenance = 'official'
        and (appendices.appendix_ref is null or appendices.framework_version <> components.framework_version)
    )
    or (components.provenance <> 'official' and components.appendix_ref is not null)
