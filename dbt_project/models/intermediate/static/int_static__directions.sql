{#-
  Direction names per feed version, route and direction_id (directions.txt, rule 8.3), keyed on the
  realtime route_id (e.g. `Green-B`). A feed without directions.txt has no rows, so the direction columns
  of its trips are NULL (rule 3.4).
-#}

select
    feed_key,
    route_id,
    direction_id,
    direction,
    direction_destination
from {{ ref('stg_gtfs_static__directions') }}
where route_id is not null and direction_id is not null
