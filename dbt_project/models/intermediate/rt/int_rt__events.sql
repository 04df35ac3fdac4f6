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
  VP and TU events combined on the event key (rule 7.1). The VP detail wins; TU detail (rule 6.2) only
  describes events without VP rows, with a NULL stop_sequence, label and consist and revenue true.
-#}

-- depends_on: {{ ref('int_rt__service_date_inputs') }} (read by the post-hook rt_remove_stale_service_dates)

with vp_events as (
    select vp.*
    from {{ ref('int_rt__vp_events') }} as vp
    where
        1 = 1
        {{ rt_service_dates_to_rebuild('vp') }}
),

tu_events as (
    select tu.*
    from {{ ref('int_rt__tu_events') }} as tu
    where
        1 = 1
        {{ rt_service_dates_to_rebuild('tu') }}
),

combined as (
    select
        coalesce(vp_events.service_date, tu_events.service_date) as service_date,
        coalesce(vp_events.route_id, tu_events.route_id) as route_id,
        coalesce(vp_events.trip_id, tu_events.trip_id) as trip_id,
        coalesce(vp_events.parent_station, tu_events.parent_station) as parent_station,
        coalesce(vp_events.feed_key, tu_events.feed_key) as feed_key,
        coalesce(vp_events.input_fingerprint, tu_events.input_fingerprint) as input_fingerprint,
        vp_events.vp_move_timestamp,
        vp_events.vp_stop_timestamp,
        tu_events.tu_stop_timestamp,
        tu_events.tu_issue_timestamp,
        vp_events.service_date is not null as has_vp_rows,
        vp_events.stop_id as vp_stop_id,
        tu_events.stop_id as tu_stop_id,
        vp_events.stop_sequence,
        vp_events.direction_id as vp_direction_id,
        tu_events.direction_id as tu_direction_id,
        vp_events.rt_start_time_seconds as vp_rt_start_time_seconds,
        tu_events.rt_start_time_seconds as tu_rt_start_time_seconds,
        vp_events.vehicle_id as vp_vehicle_id,
        tu_events.vehicle_id as tu_vehicle_id,
        vp_events.vehicle_label,
        vp_events.vehicle_consist,
        vp_events.revenue as vp_revenue
    from vp_events
    full outer join tu_events
        on
            vp_events.service_date = tu_events.service_date
            and vp_events.route_id = tu_events.route_id
            and vp_events.trip_id = tu_events.trip_id
            and vp_events.parent_station = tu_events.parent_station
)

select
    service_date,
    route_id,
    trip_id,
    parent_station,
    feed_key,
    input_fingerprint,
    vp_move_timestamp,
    vp_stop_timestamp,
    tu_stop_timestamp,
    tu_issue_timestamp,
    coalesce(vp_stop_timestamp, tu_stop_timestamp) as stop_timestamp,
    (vp_move_timestamp is not null or vp_stop_timestamp is not null) as has_vp,
    case when has_vp_rows then vp_stop_id else tu_stop_id end as stop_id,
    stop_sequence,
    case when has_vp_rows then vp_direction_id else tu_direction_id end as direction_id,
    case
        when has_vp_rows then vp_rt_start_time_seconds else tu_rt_start_time_seconds
    end as rt_start_time_seconds,
    case when has_vp_rows then vp_vehicle_id else tu_vehicle_id end as vehicle_id,
    vehicle_label,
    vehicle_consist,
    case when has_vp_rows then vp_revenue else true end as revenue
from combined
