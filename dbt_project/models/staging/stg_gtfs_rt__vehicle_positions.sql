{#-
  One row per vehicle position of a snapshot, exact repeats across snapshots dropped (the earliest
  snapshot's row kept). The label lists are given as text (rule 5.4 representation) instead of arrays:
  no rule needs the arrays, and array columns cannot be given as dbt unit-test inputs on Postgres.
-#}
{%- set provenance = [
    'source_file_id', 'feed_timestamp', 'entity_id', 'entity_index', 'is_deleted',
    'has_millisecond_timestamp', 'lake_batch_id',
] -%}
{%- set record = [
    'trip_id', 'route_id', 'direction_id', 'start_time', 'start_date', 'trip_schedule_relationship',
    'trip_route_pattern_id', 'trip_tm_trip_id', 'trip_revenue', 'trip_last_trip',
    'vehicle_id', 'vehicle_label', 'vehicle_license_plate', 'vehicle_wheelchair_accessible',
    'vehicle_consist_text', 'latitude', 'longitude', 'bearing', 'odometer', 'speed',
    'current_stop_sequence', 'stop_id', 'current_status', 'vehicle_timestamp', 'congestion_level',
    'occupancy_status', 'occupancy_percentage', 'multi_carriage_labels_text',
] -%}

with positions as (
    select
        {{ provenance | join(',\n        ') }},
        {%- for column in record %}
            {%- if column == 'vehicle_consist_text' %}
        {{ labels_to_text('vehicle_consist_labels') }} as vehicle_consist_text
            {%- elif column == 'multi_carriage_labels_text' %}
        {{ labels_to_text('multi_carriage_labels') }} as multi_carriage_labels_text
            {%- else %}
        {{ column }}
            {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ source('raw', 'gtfs_rt__vehicle_positions') }}
)

{{ keep_first_of_repeats(
    'positions',
    record,
    'feed_timestamp, source_file_id, entity_index',
    provenance + record,
) }}
