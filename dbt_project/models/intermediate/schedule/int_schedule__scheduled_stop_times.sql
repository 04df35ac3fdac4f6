{#-
  One row per stop_time of a rail static trip (feed_key, trip_id, stop_sequence), with the scheduled
  metrics of section 11. They depend only on the feed version, so they are computed once per version and
  every service date governed by it (rule 3.3) reuses them.

  Times are seconds after the start of the service day (rule 0.1, may be ≥ 86400 for trips past
  midnight); int_schedule__service_days turns them into instants for a given date.
-#}

with stop_times as (
    select
        stop_times.feed_key,
        stop_times.trip_id,
        stop_times.stop_sequence,
        stop_times.stop_id,
        {#- rule 4.2: the station is the stop's parent_station, else the stop itself -#}
        coalesce(stops.parent_station, stop_times.stop_id) as parent_station,
        stop_times.arrival_time_seconds,
        stop_times.departure_time_seconds,
        static_trips.route_id,
        static_trips.service_id,
        static_trips.direction_id,
        static_trips.branch_route_id,
        static_trips.trunk_route_id
    from {{ ref('stg_gtfs_static__stop_times') }} as stop_times
    inner join {{ ref('int_schedule__static_trips') }} as static_trips
        on
            stop_times.feed_key = static_trips.feed_key
            and stop_times.trip_id = static_trips.trip_id
    left join {{ ref('stg_gtfs_static__stops') }} as stops
        on
            stop_times.feed_key = stops.feed_key
            and stop_times.stop_id = stops.stop_id
)

select
    feed_key,
    trip_id,
    stop_sequence,
    stop_id,
    parent_station,
    route_id,
    service_id,
    direction_id,
    branch_route_id,
    trunk_route_id,
    arrival_time_seconds as scheduled_arrival_time,
    departure_time_seconds as scheduled_departure_time,
    {#- rule 9.3: the static list's rank by stop_sequence -#}
    rank() over (
        partition by feed_key, trip_id
        order by stop_sequence asc
    ) as static_rank,
    {#- rule 11.1: NULL at the first stop; 0 and negative values are kept -#}
    arrival_time_seconds - lag(departure_time_seconds) over (
        partition by feed_key, trip_id
        order by stop_sequence asc
    ) as scheduled_travel_time,
    {#- rule 11.3: per service_id (not date), departure to departure; first NULL, 0 and negatives kept -#}
    case
        when branch_route_id is not null
            then departure_time_seconds - lag(departure_time_seconds) over (
                partition by feed_key, parent_station, service_id, direction_id, branch_route_id
                order by
                    departure_time_seconds asc nulls last,
                    {{ binary_text('trip_id') }} asc,
                    stop_sequence asc
            )
    end as scheduled_headway_branch,
    departure_time_seconds - lag(departure_time_seconds) over (
        partition by feed_key, parent_station, service_id, direction_id, trunk_route_id
        order by
            departure_time_seconds asc nulls last,
            {{ binary_text('trip_id') }} asc,
            stop_sequence asc
    ) as scheduled_headway_trunk
from stop_times
