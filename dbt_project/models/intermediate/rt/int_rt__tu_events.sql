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
  TripUpdates reduced to one row per event key (rule 6.1): the kept prediction with the greatest issue
  time, ties to the greatest feed timestamp, the smallest arrival, the smallest stop_id. Its arrival is
  tu_stop_timestamp, the last-issued near-term prediction (not the earliest, rule 15.1).
-#}

-- depends_on: {{ ref('int_rt__service_date_inputs') }} (read by the post-hook rt_remove_stale_service_dates)

with kept_rows as (
    select updates.*
    from {{ ref('int_rt__trip_updates') }} as updates
    where
        updates.is_valid
        {{ rt_service_dates_to_rebuild('updates') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by service_date, route_id, trip_id, parent_station
            order by
                issue_timestamp desc nulls last,
                feed_timestamp desc nulls last,
                arrival_time asc nulls last,
                {{ binary_text('stop_id') }} asc nulls last
        ) as prediction_rank
    from kept_rows
)

select
    service_date,
    route_id,
    trip_id,
    parent_station,
    feed_key,
    input_fingerprint,
    arrival_time as tu_stop_timestamp,
    issue_timestamp as tu_issue_timestamp,
    stop_id,
    direction_id,
    rt_start_time_seconds,
    vehicle_id
from ranked
where prediction_rank = 1
