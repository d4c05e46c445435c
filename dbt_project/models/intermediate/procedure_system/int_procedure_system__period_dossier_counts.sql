-- Dossiers filed in each period, and how many of them were filed online and full-process
-- (Decree 42/2022/NĐ-CP, art. 11), counted once each in their latest version.
with periods as (

    select * from {{ ref('int_catalog__periods') }}

),

dossiers as (

    select * from {{ ref('int_procedure_system__latest_dossiers') }}

)

select
    periods.period,
    count(dossiers.dossier_id) as dossiers_filed,
    count(dossiers.dossier_id) filter (
        where dossiers.channel = 'online' and dossiers.is_full_process
    ) as dossiers_full_process_online
from periods
left join dossiers
    -- filed_at is a point in time; the period's days are Vietnam's calendar days
    on (dossiers.filed_at at time zone 'Asia/Ho_Chi_Minh')::date between periods.period_start and periods.period_end
group by periods.period
