{{ config(materialized='table', post_hook="{{ rt_analyze_table() }}") }}

{#-
  One row per event (rule 0.2: service date, route, trip, parent station), VP-observed or TU-only
  (rule 7), with its timestamps and the realtime metrics of section 9 (NULL for TU-only events, rule 7.2).
-#}

select
    events.service_date,
    events.route_id,
    events.trip_id,
    events.parent_station,
    events.stop_id,
    events.stop_sequence,
    events.direction_id = 1 as direction_id,
    events.vp_move_timestamp,
    events.vp_stop_timestamp,
    events.tu_stop_timestamp,
    events.stop_timestamp,
    events.has_vp,
    metrics.first_stop,
    metrics.travel_time_seconds,
    metrics.dwell_time_seconds,
    metrics.headway_branch_seconds,
    metrics.headway_trunk_seconds,
    metrics.next_departure_timestamp,
    metrics.previous_parent_station,
    metrics.next_parent_station,
    events.vehicle_id,
    events.vehicle_label,
    events.vehicle_consist,
    events.revenue,
    events.feed_key
from {{ ref('int_rt__events') }} as events
left join {{ ref('int_rt__event_metrics') }} as metrics
    on
        events.service_date = metrics.service_date
        and events.route_id = metrics.route_id
        and events.trip_id = metrics.trip_id
        and events.parent_station = metrics.parent_station
