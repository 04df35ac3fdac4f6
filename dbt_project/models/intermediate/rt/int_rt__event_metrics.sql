{{
    config(
        materialized='incremental',
        post_hook=["{{ rt_remove_stale_service_dates() }}", "{{ rt_analyze_table() }}"],
        incremental_strategy='delete+insert',
        unique_key='service_date',
        on_schema_change='fail',
    )
}}

{#-
  Realtime metrics of M(D) (rule 9.1: every has_vp event of D joined to its trip), computed over the whole
  service date: travel (9.2), first-stop flag (9.3), dwell (9.4), next departure (9.5) and the branch and
  trunk headways (9.6), plus the previous and next station of the trip in trip order.
-#}

-- depends_on: {{ ref('int_rt__service_date_inputs') }} (read by the post-hook rt_remove_stale_service_dates)

with measured as (
    select
        events.service_date,
        events.route_id,
        events.trip_id,
        events.parent_station,
        events.input_fingerprint,
        events.stop_sequence,
        events.vp_move_timestamp as move_ts,
        events.stop_timestamp as stop_ts,
        coalesce(events.vp_move_timestamp, events.vp_stop_timestamp) as sort_ts,
        trips.direction_id,
        trips.revenue,
        trips.stop_count,
        trips.branch_route_id,
        trips.trunk_route_id
    from {{ ref('int_rt__events') }} as events
    inner join {{ ref('int_rt__trips') }} as trips
        on
            events.service_date = trips.service_date
            and events.route_id = trips.route_id
            and events.trip_id = trips.trip_id
    where
        events.has_vp
        {{ rt_service_dates_to_rebuild('events') }}
),

{#- rule 9.3: first_stop from the static stop list of the matched trip (int_schedule__first_stops), else rt_first -#}
flagged as (
    select
        measured.*,
        coalesce(
            first_stops.first_stop,
            measured.stop_sequence = min(measured.stop_sequence) over (
                partition by measured.service_date, measured.route_id, measured.trip_id
            )
        ) as first_stop,
        lag(measured.parent_station) over (
            partition by measured.service_date, measured.route_id, measured.trip_id
            order by
                measured.sort_ts asc nulls last,
                measured.stop_sequence asc nulls last,
                {{ binary_text('measured.parent_station') }} asc nulls last
        ) as previous_parent_station,
        lead(measured.parent_station) over (
            partition by measured.service_date, measured.route_id, measured.trip_id
            order by
                measured.sort_ts asc nulls last,
                measured.stop_sequence asc nulls last,
                {{ binary_text('measured.parent_station') }} asc nulls last
        ) as next_parent_station
    from measured
    left join {{ ref('int_schedule__first_stops') }} as first_stops
        on
            measured.service_date = first_stops.service_date
            and measured.route_id = first_stops.route_id
            and measured.trip_id = first_stops.trip_id
            and measured.parent_station = first_stops.parent_station
),

{#- rule 9.4: the next departure among the non-first-stop rows of trips with stop_count > 1 -#}
dwell_rows as (
    select
        service_date,
        route_id,
        trip_id,
        parent_station,
        lead(move_ts) over (
            partition by service_date, route_id, trip_id
            order by
                sort_ts asc nulls last,
                stop_sequence asc nulls last,
                {{ binary_text('parent_station') }} asc nulls last
        ) - stop_ts as dwell_candidate
    from flagged
    where not first_stop and stop_count > 1
),

{#- rule 9.5: H(D) and each event's next departure -#}
headway_rows as (
    select
        service_date,
        route_id,
        trip_id,
        parent_station,
        direction_id,
        branch_route_id,
        trunk_route_id,
        lead(move_ts) over (
            partition by service_date, route_id, trip_id
            order by
                sort_ts asc nulls last,
                stop_sequence asc nulls last,
                {{ binary_text('parent_station') }} asc nulls last
        ) as next_departure
    from flagged
    where revenue and stop_count > 1
),

{#- rule 9.6: departure-to-departure gap in each station queue -#}
branch_headways as (
    select
        service_date,
        route_id,
        trip_id,
        parent_station,
        next_departure - lag(next_departure) over (
            partition by service_date, parent_station, branch_route_id, direction_id
            order by
                next_departure asc,
                {{ binary_text('route_id') }} asc,
                {{ binary_text('trip_id') }} asc
        ) as headway_candidate
    from headway_rows
    where branch_route_id is not null and next_departure is not null
),

trunk_headways as (
    select
        service_date,
        route_id,
        trip_id,
        parent_station,
        next_departure - lag(next_departure) over (
            partition by service_date, parent_station, trunk_route_id, direction_id
            order by
                next_departure asc,
                {{ binary_text('route_id') }} asc,
                {{ binary_text('trip_id') }} asc
        ) as headway_candidate
    from headway_rows
    where trunk_route_id is not null and next_departure is not null
)

select
    flagged.service_date,
    flagged.route_id,
    flagged.trip_id,
    flagged.parent_station,
    flagged.input_fingerprint,
    flagged.move_ts as move_timestamp,
    flagged.stop_ts as stop_timestamp,
    flagged.sort_ts as sort_timestamp,
    flagged.first_stop,
    flagged.previous_parent_station,
    flagged.next_parent_station,
    headway_rows.next_departure as next_departure_timestamp,
    case when flagged.stop_ts - flagged.move_ts > 0 then flagged.stop_ts - flagged.move_ts end
        as travel_time_seconds,
    case when dwell_rows.dwell_candidate > 0 then dwell_rows.dwell_candidate end as dwell_time_seconds,
    case when branch_headways.headway_candidate > 0 then branch_headways.headway_candidate end
        as headway_branch_seconds,
    case when trunk_headways.headway_candidate > 0 then trunk_headways.headway_candidate end
        as headway_trunk_seconds
from flagged
left join dwell_rows
    on
        flagged.service_date = dwell_rows.service_date
        and flagged.route_id = dwell_rows.route_id
        and flagged.trip_id = dwell_rows.trip_id
        and flagged.parent_station = dwell_rows.parent_station
left join headway_rows
    on
        flagged.service_date = headway_rows.service_date
        and flagged.route_id = headway_rows.route_id
        and flagged.trip_id = headway_rows.trip_id
        and flagged.parent_station = headway_rows.parent_station
left join branch_headways
    on
        flagged.service_date = branch_headways.service_date
        and flagged.route_id = branch_headways.route_id
        and flagged.trip_id = branch_headways.trip_id
        and flagged.parent_station = branch_headways.parent_station
left join trunk_headways
    on
        flagged.service_date = trunk_headways.service_date
        and flagged.route_id = trunk_headways.route_id
        and flagged.trip_id = trunk_headways.trip_id
        and flagged.parent_station = trunk_headways.parent_station
