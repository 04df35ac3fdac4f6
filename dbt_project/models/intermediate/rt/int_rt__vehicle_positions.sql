{{ config(materialized='view') }}

{#-
  Every staged VehiclePositions row with its service date (rule 2.1), version(D) (rule 3.3), parent
  station (rule 4.1), normalised status and revenue (rule 1.4), consist (rule 5.4) and one flag per
  condition of rule 1.2. Rows are flagged, not dropped (TIDES quality pattern): the event models read
  only `is_valid` rows, and anyone can query why a row was left out.
-#}

with settings as (
    select
        agency_timezone,
        service_day_cutoff_seconds
    from {{ ref('agency_settings') }}
),

positions as (
    select
        vp.*,
        {{ rt_service_date('vp.start_date', 'vp.vehicle_timestamp') }} as service_date
    from {{ ref('stg_gtfs_rt__vehicle_positions') }} as vp
    cross join settings
),

annotated as (
    select
        positions.source_file_id,
        positions.entity_index,
        positions.lake_batch_id,
        positions.feed_timestamp,
        positions.service_date,
        versions.feed_key,
        inputs.input_fingerprint,
        positions.route_id,
        positions.trip_id,
        positions.direction_id,
        positions.start_date,
        positions.start_time,
        {{ rt_start_time_to_seconds('positions.start_time') }} as rt_start_time_seconds,
        positions.vehicle_id,
        positions.vehicle_label,
        coalesce(positions.vehicle_consist_text, positions.multi_carriage_labels_text) as vehicle_consist,
        positions.stop_id,
        positions.current_stop_sequence as stop_sequence,
        positions.current_status,
        positions.vehicle_timestamp,
        case
            when positions.current_status is null then null
            when positions.current_status in ('STOPPED_AT', '1') then false
            else true
        end as is_moving,
        coalesce(positions.trip_revenue, true) as revenue,
        coalesce(stops.parent_station, positions.stop_id) as parent_station,
        routes.route_type,
        (
            positions.current_status is not null
            and positions.stop_id is not null
            and positions.vehicle_id is not null
            and positions.trip_id is not null
        ) as has_required_fields,
        coalesce(
            positions.current_stop_sequence >= 0
            and positions.vehicle_timestamp > 0
            and positions.direction_id in (0, 1),
            false
        ) as has_valid_values,
        positions.service_date is not null as has_service_date,
        versions.feed_key is not null as has_static_version,
        coalesce(routes.is_rail, false) as is_rail_route
    from positions
    left join {{ ref('int_static__version_by_service_date') }} as versions
        on positions.service_date = versions.service_date
    left join {{ ref('int_rt__service_date_inputs') }} as inputs
        on positions.service_date = inputs.service_date
    left join {{ ref('int_static__routes') }} as routes
        on
            versions.feed_key = routes.feed_key
            and positions.route_id = routes.route_id
    left join {{ ref('int_static__stops') }} as stops
        on
            versions.feed_key = stops.feed_key
            and positions.stop_id = stops.stop_id
)

select
    *,
    (
        has_required_fields
        and has_valid_values
        and has_service_date
        and has_static_version
        and is_rail_route
    ) as is_valid
from annotated
