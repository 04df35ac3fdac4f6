{{ config(materialized='view') }}

{#-
  Every staged stop_time_update row with its service date (rule 2.1, from start_date or the issue time of
  rule 0.4), version(D), parent station (rule 4.1) and one flag per condition of rule 1.3. Flagged, not
  dropped; int_rt__tu_events reads only `is_valid` rows.
-#}

with settings as (
    select
        agency_timezone,
        service_day_cutoff_seconds
    from {{ ref('agency_settings') }}
),

updates as (
    select
        tu.*,
        {{ rt_service_date('tu.start_date', 'tu.issue_timestamp') }} as service_date
    from {{ ref('stg_gtfs_rt__trip_updates') }} as tu
    cross join settings
),

annotated as (
    select
        updates.source_file_id,
        updates.entity_index,
        updates.stop_time_update_index,
        updates.lake_batch_id,
        updates.feed_timestamp,
        updates.issue_timestamp,
        updates.service_date,
        versions.feed_key,
        inputs.input_fingerprint,
        updates.route_id,
        updates.trip_id,
        updates.direction_id,
        updates.start_date,
        updates.start_time,
        {{ rt_start_time_to_seconds('updates.start_time') }} as rt_start_time_seconds,
        updates.vehicle_id,
        updates.stop_id,
        updates.arrival_time,
        coalesce(stops.parent_station, updates.stop_id) as parent_station,
        routes.route_type,
        (
            updates.trip_id is not null
            and updates.vehicle_id is not null
            and updates.stop_id is not null
        ) as has_required_fields,
        coalesce(updates.direction_id in (0, 1), false) as has_valid_direction,
        coalesce(
            updates.arrival_time > 0
            and updates.arrival_time - updates.issue_timestamp >= 0
            and updates.arrival_time - updates.issue_timestamp < 120,
            false
        ) as is_near_term_prediction,
        updates.service_date is not null as has_service_date,
        versions.feed_key is not null as has_static_version,
        coalesce(routes.is_rail, false) as is_rail_route
    from updates
    left join {{ ref('int_static__version_by_service_date') }} as versions
        on updates.service_date = versions.service_date
    left join {{ ref('int_rt__service_date_inputs') }} as inputs
        on updates.service_date = inputs.service_date
    left join {{ ref('int_static__routes') }} as routes
        on
            versions.feed_key = routes.feed_key
            and updates.route_id = routes.route_id
    left join {{ ref('int_static__stops') }} as stops
        on
            versions.feed_key = stops.feed_key
            and updates.stop_id = stops.stop_id
)

select
    *,
    (
        has_required_fields
        and has_valid_direction
        and is_near_term_prediction
        and has_service_date
        and has_static_version
        and is_rail_route
    ) as is_valid
from annotated
