{#-
  Stops per feed version with their station (rule 4.2): parent_station = coalesce(stops.parent_station,
  stop_id), an id such as `place-jfk`, never a name (rule 4.1).
-#}

select
    feed_key,
    stop_id,
    stop_name,
    coalesce(parent_station, stop_id) as parent_station,
    location_type,
    platform_code,
    platform_name,
    vehicle_type
from {{ ref('stg_gtfs_static__stops') }}
where stop_id is not null
