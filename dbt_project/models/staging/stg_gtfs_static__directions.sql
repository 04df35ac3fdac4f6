-- directions.txt (MBTA extension) per feed version: direction_id as boolean, duplicates dropped (rule 3.1).
select distinct
    feed_key,
    {{ clean_text('route_id') }} as route_id,
    {{ flag_to_boolean('direction_id') }} as direction_id,
    {{ clean_text('direction') }} as direction,
    {{ clean_text('direction_destination') }} as direction_destination
from {{ source('raw', 'gtfs_static__directions') }}
