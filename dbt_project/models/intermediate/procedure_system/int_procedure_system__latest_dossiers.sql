-- API pages the raw quality gate set aside stay in raw for the record but are not used
with quarantined_pages as (

    select file_sha256
    from {{ ref('stg_submissions__landed_files') }}
    where file_status = 'quarantined'

),

versions as (

    select
        *,
        count(*) over (partition by dossier_id) as versions_received,
        row_number() over (
            partition by dossier_id
            order by updated_at desc
        ) as recency_rank
    from {{ ref('stg_procedure_system__dossiers') }}
    where file_sha256 not in (select quarantined_pages.file_sha256 from quarantined_pages)

)

select
    dossier_id,
    updated_at,
    procedure_code,
    unit_code,
    filed_at,
    channel,
    is_full_process,
    dossier_status,
    returned_at,
    citizen_pseudonym,
    versions_received,
    batch_id,
    file_sha256,
    loaded_at
from versions
where recency_rank = 1
