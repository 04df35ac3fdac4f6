{{ config(materialized='table', post_hook="{{ rt_analyze_table() }}") }}

{#-
  One row per trip (rule 0.2) with its attributes (section 8), start time (rules 2.2, 2.3 with fill (a))
  and static trip match (section 10, int_schedule__trip_matches).
-#}

select
    trips.service_date,
    trips.route_id,
    trips.trip_id,
    trips.direction_id = 1 as direction_id,
    trips.direction,
    trips.direction_destination,
    trips.branch_route_id,
    trips.trunk_route_id,
    matches.start_time,
    trips.rt_start_time_seconds,
    trips.vehicle_id,
    trips.vehicle_label,
    trips.vehicle_consist,
    trips.revenue,
    trips.stop_count,
    trips.event_count,
    trips.has_vp,
    trips.attribute_parent_station,
    matches.static_trip_id_guess,
    matches.static_start_time,
    matches.static_stop_count,
    matches.first_last_station_match,
    matches.has_static_match,
    trips.feed_key
from {{ ref('int_rt__trips') }} as trips
inner join {{ ref('int_schedule__trip_matches') }} as matches
    on
        trips.service_date = matches.service_date
        and trips.route_id = matches.route_id
        and trips.trip_id = matches.trip_id
