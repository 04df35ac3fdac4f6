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
  VehiclePositions compressed to one row per event key (rule 0.2): the first moving and first
  STOPPED_AT report (rule 5.1) and the detail row (rule 5.3) that supplies the event's attributes.
-#}

-- depends_on: {{ ref('int_rt__service_date_inputs') }} (read by the post-hook rt_remove_stale_service_dates)

with kept_rows as (
    select positions.*
    from {{ ref('int_rt__vehicle_positions') }} as positions
    where
        positions.is_valid
        {{ rt_service_dates_to_rebuild('positions') }}
),

minima as (
    select
        service_date,
        route_id,
        trip_id,
        parent_station,
        min(case when is_moving then vehicle_timestamp end) as vp_move_timestamp,
        min(case when not is_moving then vehicle_timestamp end) as vp_stop_timestamp,
        count(*) as vp_row_count
    from kept_rows
    group by service_date, route_id, trip_id, parent_station
),

detail_ranked as (
    select
        *,
        row_number() over (
            partition by service_date, route_id, trip_id, parent_station
            order by
                vehicle_timestamp asc nulls last,
                feed_timestamp asc nulls last,
                stop_sequence asc nulls last,
                {{ binary_text('stop_id') }} asc nulls last,
                {{ binary_text('vehicle_id') }} asc nulls last,
                {{ binary_text('vehicle_label') }} asc nulls last,
                {{ binary_text('vehicle_consist') }} asc nulls last
        ) as detail_rank
    from kept_rows
)

select
    minima.service_date,
    minima.route_id,
    minima.trip_id,
    minima.parent_station,
    detail.feed_key,
    detail.input_fingerprint,
    minima.vp_move_timestamp,
    minima.vp_stop_timestamp,
    minima.vp_row_count,
    detail.stop_id,
    detail.stop_sequence,
    detail.direction_id,
    detail.rt_start_time_seconds,
    detail.vehicle_id,
    detail.vehicle_label,
    detail.vehicle_consist,
    detail.revenue
from minima
inner join detail_ranked as detail
    on
        minima.service_date = detail.service_date
        and minima.route_id = detail.route_id
        and minima.trip_id = detail.trip_id
        and minima.parent_station = detail.parent_station
        and detail.detail_rank = 1
