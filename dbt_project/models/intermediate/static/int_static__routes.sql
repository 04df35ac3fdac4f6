{#-
  Routes per feed version with the flags the realtime models filter on:
    - is_rail: route_type in (0, 1, 2) — light rail, subway, commuter rail (rule 1.1);
    - is_public_subway: route_type < 2, the routes of the public daily table (rule 12.1).
  Routes of other types stay (with both flags false) so a lookup by route never silently misses.
-#}

select
    feed_key,
    route_id,
    agency_id,
    route_short_name,
    route_long_name,
    route_type,
    route_color,
    route_sort_order,
    line_id,
    coalesce(route_type in (0, 1, 2), false) as is_rail,
    coalesce(route_type < 2, false) as is_public_subway
from {{ ref('stg_gtfs_static__routes') }}
where route_id is not null
