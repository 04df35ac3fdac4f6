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
  One row per trip key (rule 0.2) with the attributes of its attribute event (rule 8.1), branch and trunk
  (rule 8.2, from the seeds rail_branch_stops and route_trunks), stop_count and directions (rule 8.3) and
  start_time (rules 2.2, 2.3). Static matching (section 10) and fill 2.3(a) need stop_times: their columns
  are present and NULL until that work lands (rule 3.4, issue 5).
-#}

-- depends_on: {{ ref('int_rt__service_date_inputs') }} (read by the post-hook rt_remove_stale_service_dates)

with settings as (
    select agency_timezone
    from {{ ref('agency_settings') }}
),

events as (
    select trip_events.*
    from {{ ref('int_rt__events') }} as trip_events
    where
        1 = 1
        {{ rt_service_dates_to_rebuild('trip_events') }}
),

attribute_ranked as (
    select
        *,
        row_number() over (
            partition by service_date, route_id, trip_id
            order by
                case when has_vp then 0 else 1 end asc,
                case when has_vp then stop_sequence end desc nulls last,
                case when has_vp then coalesce(vp_move_timestamp, vp_stop_timestamp) end desc nulls last,
                case when not has_vp then tu_issue_timestamp end desc nulls last,
                {{ binary_text('parent_station') }} asc nulls last
        ) as attribute_rank
    from events
),

trip_summary as (
    select
        service_date,
        route_id,
        trip_id,
        sum(case when has_vp then 1 else 0 end) as has_vp_event_count,
        count(*) as event_count,
        min(vp_move_timestamp) as min_vp_move_timestamp,
        min(vp_stop_timestamp) as min_vp_stop_timestamp,
        min(tu_stop_timestamp) as min_tu_stop_timestamp
    from events
    group by service_date, route_id, trip_id
),

branch_matches as (
    {#- rule 8.2: every event's stop_id, TU-only ones included; the lowest check_order (Ashmont) wins -#}
    select
        events.service_date,
        events.route_id,
        events.trip_id,
        branch_stops.branch_route_id,
        row_number() over (
            partition by events.service_date, events.route_id, events.trip_id
            order by branch_stops.check_order asc, {{ binary_text('branch_stops.branch_route_id') }} asc
        ) as branch_rank
    from events
    inner join {{ ref('rail_branch_stops') }} as branch_stops
        on
            events.route_id = branch_stops.route_id
            and events.stop_id = branch_stops.stop_id
)

select
    attribute_event.service_date,
    attribute_event.route_id,
    attribute_event.trip_id,
    attribute_event.feed_key,
    attribute_event.input_fingerprint,
    attribute_event.parent_station as attribute_parent_station,
    attribute_event.has_vp,
    attribute_event.direction_id,
    attribute_event.rt_start_time_seconds,
    coalesce(
        attribute_event.rt_start_time_seconds,
        coalesce(
            trip_summary.min_vp_move_timestamp,
            trip_summary.min_vp_stop_timestamp,
            trip_summary.min_tu_stop_timestamp
        )
        - {{ service_date_local_midnight_epoch('attribute_event.service_date', 'settings.agency_timezone') }}
    ) as start_time,
    attribute_event.vehicle_id,
    attribute_event.vehicle_label,
    attribute_event.vehicle_consist,
    attribute_event.revenue,
    coalesce(trunks.branch_route_id, branch_matches.branch_route_id) as branch_route_id,
    coalesce(trunks.trunk_route_id, attribute_event.route_id) as trunk_route_id,
    case when trip_summary.has_vp_event_count > 0 then trip_summary.has_vp_event_count end as stop_count,
    trip_summary.event_count,
    directions.direction,
    directions.direction_destination,
    cast(null as {{ dbt.type_string() }}) as static_trip_id_guess,
    cast(null as {{ dbt.type_bigint() }}) as static_start_time,
    cast(null as {{ dbt.type_bigint() }}) as static_stop_count,
    cast(null as {{ dbt.type_boolean() }}) as first_last_station_match
from attribute_ranked as attribute_event
cross join settings
inner join trip_summary
    on
        attribute_event.service_date = trip_summary.service_date
        and attribute_event.route_id = trip_summary.route_id
        and attribute_event.trip_id = trip_summary.trip_id
left join branch_matches
    on
        attribute_event.service_date = branch_matches.service_date
        and attribute_event.route_id = branch_matches.route_id
        and attribute_event.trip_id = branch_matches.trip_id
        and branch_matches.branch_rank = 1
left join {{ ref('route_trunks') }} as trunks
    on attribute_event.route_id = trunks.route_id
left join {{ ref('int_static__directions') }} as directions
    on
        attribute_event.feed_key = directions.feed_key
        and attribute_event.route_id = directions.route_id
        and (attribute_event.direction_id = 1) = directions.direction_id
where attribute_event.attribute_rank = 1
