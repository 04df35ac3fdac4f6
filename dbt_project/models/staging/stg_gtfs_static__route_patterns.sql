-- route_patterns.txt (MBTA extension) per feed version: typed, exact duplicate rows dropped (rule 3.1).
select distinct
    feed_key,
    {{ clean_text('route_pattern_id') }} as route_pattern_id,
    {{ clean_text('route_id') }} as route_id,
    {{ flag_to_boolean('direction_id') }} as direction_id,
    {{ clean_text('route_pattern_name') }} as route_pattern_name,
    {{ clean_text('route_pattern_time_desc') }} as route_pattern_time_desc,
    {{ to_integer('route_pattern_typicality') }} as route_pattern_typicality,
    {{ to_integer('route_pattern_sort_order') }} as route_pattern_sort_order,
    {{ clean_text('representative_trip_id') }} as representative_trip_id,
    {{ to_integer('canonical_route_pattern') }} as canonical_route_pattern
from {{ source('raw', 'gtfs_static__route_patterns') }}
