{{ config(materialized='table', post_hook="{{ rt_analyze_table() }}") }}

{#-
  LAMP's public daily "subway performance" table (rule 12): exactly its 27 columns in order and type, the
  rows of rule 12.1 (route_type < 2 in version(D), revenue trip, has_vp event). The scheduled columns
  come from the matched static trip (rule 12.2, int_schedule__event_schedule) and are NULL without one
  (rule 3.4: a feed without stop_times). Rows are
  written in the order of rule 12.4; a table has no order, so readers (the daily export) sort the same way.
-#}

with public_events as (
    select
        events.*,
        trips.start_time,
        trips.branch_route_id,
        trips.trunk_route_id,
        trips.stop_count,
        trips.direction,
        trips.direction_destination,
        trips.direction_id as trip_direction_id,
        trips.vehicle_id as trip_vehicle_id,
        trips.vehicle_label as trip_vehicle_label,
        trips.vehicle_consist as trip_vehicle_consist,
        schedule.scheduled_arrival_time,
        schedule.scheduled_departure_time,
        schedule.scheduled_travel_time,
        schedule.scheduled_headway_branch,
        schedule.scheduled_headway_trunk
    from {{ ref('fct_vehicle_events') }} as events
    inner join {{ ref('dim_vehicle_trips') }} as trips
        on
            events.service_date = trips.service_date
            and events.route_id = trips.route_id
            and events.trip_id = trips.trip_id
    inner join {{ ref('int_static__routes') }} as routes
        on
            events.feed_key = routes.feed_key
            and events.route_id = routes.route_id
    left join {{ ref('int_schedule__event_schedule') }} as schedule
        on
            events.service_date = schedule.service_date
            and events.route_id = schedule.route_id
            and events.trip_id = schedule.trip_id
            and events.parent_station = schedule.parent_station
    where
        routes.is_public_subway
        and trips.revenue
        and events.has_vp
)

select
    cast(stop_sequence as smallint) as stop_sequence,
    cast(stop_id as text) as stop_id,
    cast(parent_station as text) as parent_station,
    cast(vp_move_timestamp as bigint) as move_timestamp,
    cast(stop_timestamp as bigint) as stop_timestamp,
    cast(travel_time_seconds as bigint) as travel_time_seconds,
    cast(dwell_time_seconds as bigint) as dwell_time_seconds,
    cast(headway_trunk_seconds as bigint) as headway_trunk_seconds,
    cast(headway_branch_seconds as bigint) as headway_branch_seconds,
    cast(service_date as bigint) as service_date,
    cast(route_id as text) as route_id,
    cast(trip_direction_id as boolean) as direction_id,
    cast(start_time as bigint) as start_time,
    cast(trip_vehicle_id as text) as vehicle_id,
    cast(branch_route_id as text) as branch_route_id,
    cast(trunk_route_id as text) as trunk_route_id,
    cast(stop_count as smallint) as stop_count,
    cast(trip_id as text) as trip_id,
    cast(trip_vehicle_label as text) as vehicle_label,
    cast(trip_vehicle_consist as text) as vehicle_consist,
    cast(direction as text) as direction,
    cast(direction_destination as text) as direction_destination,
    cast(scheduled_arrival_time as bigint) as scheduled_arrival_time,
    cast(scheduled_departure_time as bigint) as scheduled_departure_time,
    cast(scheduled_travel_time as bigint) as scheduled_travel_time,
    cast(scheduled_headway_branch as bigint) as scheduled_headway_branch,
    cast(scheduled_headway_trunk as bigint) as scheduled_headway_trunk
from public_events
order by
    coalesce(vp_move_timestamp, vp_stop_timestamp, tu_stop_timestamp) asc nulls last,
    {{ binary_text('route_id') }} asc,
    {{ binary_text('trip_id') }} asc,
    {{ binary_text('parent_station') }} asc
