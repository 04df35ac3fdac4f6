{#-
  Service alerts with what they inform and when they are active.

  Grain: one row per alert version × informed entity × active period. An alert version is one distinct
  record of an alert (stg_gtfs_rt__alerts: the alert as first seen, then each edit), identified by
  (source_file_id, entity_index) of the snapshot it was first seen in. An alert without informed
  entities, or without active periods (= always active in GTFS-Realtime), still has its rows, with NULL
  entity or period columns. So "which alerts touched route X while it was active at time T" is one
  filter on this table.
-#}

with alerts as (
    select
        source_file_id,
        entity_index,
        entity_id as alert_id,
        feed_timestamp as first_seen_feed_timestamp,
        cause,
        effect,
        severity_level,
        severity,
        alert_lifecycle,
        duration_certainty,
        created_timestamp,
        last_modified_timestamp,
        closed_timestamp,
        header_text_en as header_text,
        description_text_en as description_text,
        service_effect_text_en as service_effect_text,
        is_deleted
    from {{ ref('stg_gtfs_rt__alerts') }}
),

informed_entities as (
    {{ explode_struct_list(
        ref('stg_gtfs_rt__alerts'),
        ['source_file_id', 'entity_index'],
        'informed_entity',
        {
            'agency_id': dbt.type_string(),
            'route_id': dbt.type_string(),
            'route_type': 'integer',
            'direction_id': 'integer',
            'trip_id': dbt.type_string(),
            'stop_id': dbt.type_string(),
            'facility_id': dbt.type_string(),
            'activities': 'text_list',
        },
        'informed',
    ) }}
),

active_periods as (
    {{ explode_struct_list(
        ref('stg_gtfs_rt__alerts'),
        ['source_file_id', 'entity_index'],
        'active_period',
        {'start': dbt.type_bigint(), 'end': dbt.type_bigint()},
        'active_period',
    ) }}
)

select
    alerts.alert_id,
    alerts.source_file_id,
    alerts.entity_index,
    alerts.first_seen_feed_timestamp,
    informed_entities.informed_index,
    informed_entities.informed_agency_id,
    informed_entities.informed_route_id,
    informed_entities.informed_route_type,
    informed_entities.informed_direction_id,
    informed_entities.informed_trip_id,
    informed_entities.informed_stop_id,
    informed_entities.informed_facility_id,
    informed_entities.informed_activities,
    active_periods.active_period_index,
    active_periods.active_period_start,
    active_periods.active_period_end,
    alerts.cause,
    alerts.effect,
    alerts.severity_level,
    alerts.severity,
    alerts.alert_lifecycle,
    alerts.duration_certainty,
    alerts.created_timestamp,
    alerts.last_modified_timestamp,
    alerts.closed_timestamp,
    alerts.header_text,
    alerts.description_text,
    alerts.service_effect_text,
    alerts.is_deleted
from alerts
left join informed_entities
    on
        alerts.source_file_id = informed_entities.source_file_id
        and alerts.entity_index = informed_entities.entity_index
left join active_periods
    on
        alerts.source_file_id = active_periods.source_file_id
        and alerts.entity_index = active_periods.entity_index
