{#-
  Rule 3.3 step 3: realtime rows of a service date without any static version are held back (no events,
  no metrics) until a feed covering that date is loaded. This test lists the held-back dates so they are
  never silently missing from the marts: it fails while any exist. Load the static feed in force for
  those dates and rebuild; the incremental models then process them (rule 9.8).
-#}

with held_back as (
    select
        'vehicle_positions' as realtime_table,
        service_date,
        count(*) as held_back_rows
    from {{ ref('int_rt__vehicle_positions') }}
    where has_service_date and not has_static_version
    group by service_date

    union all

    select
        'trip_updates' as realtime_table,
        service_date,
        count(*) as held_back_rows
    from {{ ref('int_rt__trip_updates') }}
    where has_service_date and not has_static_version
    group by service_date
)

select *
from held_back
