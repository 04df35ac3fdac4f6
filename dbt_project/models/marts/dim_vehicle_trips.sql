{{ config(materialized='table', post_hook="{{ rt_analyze_table() }}") }}

{#- One row per trip (rule 0.2) with its attributes (section 8) and start time (rules 2.2, 2.3). -#}

select
    service_date,
    route_id,
    trip_id,
    direction_id = 1 as direction_id,
    direction,
    direction_destination,
    branch_route_id,
    trunk_route_id,
    start_time,
    rt_start_time_seconds,
    vehicle_id,
    vehicle_label,
    vehicle_consist,
    revenue,
    stop_count,
    event_count,
    has_vp,
    attribute_parent_station,
    static_trip_id_guess,
    static_start_time,
    static_stop_count,
    first_last_station_match,
    feed_key
from {{ ref('int_rt__trips') }}
