-- trips.txt per feed version: direction_id as boolean, exact duplicate rows dropped (rule 3.1).
select distinct
    feed_key,
    {{ clean_text('route_id') }} as route_id,
    {{ clean_text('service_id') }} as service_id,
    {{ clean_text('trip_id') }} as trip_id,
    {{ clean_text('trip_headsign') }} as trip_headsign,
    {{ clean_text('trip_short_name') }} as trip_short_name,
    {{ flag_to_boolean('direction_id') }} as direction_id,
    {{ clean_text('block_id') }} as block_id,
    {{ clean_text('shape_id') }} as shape_id,
    {{ to_integer('wheelchair_accessible') }} as wheelchair_accessible,
    {{ to_integer('bikes_allowed') }} as bikes_allowed,
    {{ to_integer('trip_route_type') }} as trip_route_type,
    {{ clean_text('route_pattern_id') }} as route_pattern_id
from {{ source('raw', 'gtfs_static__trips') }}
