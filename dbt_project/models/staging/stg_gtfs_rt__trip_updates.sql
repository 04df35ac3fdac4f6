{#-
  One row per stop time update of a snapshot (and one row with NULL stop fields for a trip update
  without any), with its issue time (rule 0.4). Exact repeats across snapshots are dropped, keeping the
  earliest snapshot's row: two rows repeat only if every non-provenance column and the issue time are
  equal, so the same prediction re-issued later (a later issue time) is kept (rule 6.1 needs it).
  stop_time_update_index is a position in the snapshot (it shifts as the trip passes stops), so like
  entity_index it does not tell records apart.
-#}
{%- set provenance = [
    'source_file_id', 'feed_timestamp', 'entity_id', 'entity_index', 'is_deleted',
    'has_millisecond_timestamp', 'lake_batch_id', 'stop_time_update_index',
] -%}
{%- set record = [
    'trip_id', 'route_id', 'direction_id', 'start_time', 'start_date', 'trip_schedule_relationship',
    'trip_route_pattern_id', 'trip_tm_trip_id', 'trip_revenue', 'trip_last_trip',
    'vehicle_id', 'vehicle_label', 'vehicle_license_plate', 'vehicle_wheelchair_accessible',
    'trip_update_timestamp', 'trip_update_delay', 'stop_sequence', 'stop_id',
    'arrival_time', 'arrival_delay', 'arrival_uncertainty', 'departure_time', 'departure_delay',
    'departure_uncertainty', 'stop_schedule_relationship', 'departure_occupancy_status', 'boarding_status',
] -%}

with updates as (
    select
        {{ provenance | join(',\n        ') }},
        {{ record | join(',\n        ') }},
        coalesce(trip_update_timestamp, feed_timestamp) as issue_timestamp
    from {{ source('raw', 'gtfs_rt__trip_updates') }}
)

{{ keep_first_of_repeats(
    'updates',
    record + ['issue_timestamp'],
    'feed_timestamp, source_file_id, entity_index, stop_time_update_index',
    provenance + record + ['issue_timestamp'],
) }}
