-- stop_times.txt per feed version: times kept as text and as seconds after midnight (rule 0.1, may be
-- >= 86400), exact duplicate rows dropped (rule 3.1).
with stop_times as (
    select distinct
        feed_key,
        {{ clean_text('trip_id') }} as trip_id,
        {{ clean_text('arrival_time') }} as arrival_time,
        {{ clean_text('departure_time') }} as departure_time,
        {{ clean_text('stop_id') }} as stop_id,
        {{ to_integer('stop_sequence') }} as stop_sequence,
        {{ clean_text('stop_headsign') }} as stop_headsign,
        {{ to_integer('pickup_type') }} as pickup_type,
        {{ to_integer('drop_off_type') }} as drop_off_type,
        {{ to_integer('continuous_pickup') }} as continuous_pickup,
        {{ to_integer('continuous_drop_off') }} as continuous_drop_off,
        cast(shape_dist_traveled as {{ dbt.type_float() }}) as shape_dist_traveled,
        {{ to_integer('timepoint') }} as timepoint,
        {{ clean_text('checkpoint_id') }} as checkpoint_id
    from {{ source('raw', 'gtfs_static__stop_times') }}
)

select
    feed_key,
    trip_id,
    arrival_time,
    {{ gtfs_time_to_seconds('arrival_time') }} as arrival_time_seconds,
    departure_time,
    {{ gtfs_time_to_seconds('departure_time') }} as departure_time_seconds,
    stop_id,
    stop_sequence,
    stop_headsign,
    pickup_type,
    drop_off_type,
    continuous_pickup,
    continuous_drop_off,
    shape_dist_traveled,
    timepoint,
    checkpoint_id
from stop_times
