-- routes.txt per feed version: typed, exact duplicate rows dropped (rule 3.1). All route types are kept
-- here; int_static__routes flags the rail ones (rules 1.1, 12.1).
select distinct
    feed_key,
    {{ clean_text('route_id') }} as route_id,
    {{ clean_text('agency_id') }} as agency_id,
    {{ clean_text('route_short_name') }} as route_short_name,
    {{ clean_text('route_long_name') }} as route_long_name,
    {{ clean_text('route_desc') }} as route_desc,
    {{ to_integer('route_type') }} as route_type,
    {{ clean_text('route_url') }} as route_url,
    {{ clean_text('route_color') }} as route_color,
    {{ clean_text('route_text_color') }} as route_text_color,
    {{ to_integer('route_sort_order') }} as route_sort_order,
    {{ to_integer('continuous_pickup') }} as continuous_pickup,
    {{ to_integer('continuous_drop_off') }} as continuous_drop_off,
    {{ clean_text('network_id') }} as network_id,
    {{ clean_text('route_fare_class') }} as route_fare_class,
    {{ clean_text('line_id') }} as line_id,
    {{ to_integer('listed_route') }} as listed_route
from {{ source('raw', 'gtfs_static__routes') }}
