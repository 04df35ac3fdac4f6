{#-
  One row per alert of a snapshot, exact repeats across snapshots dropped (the earliest snapshot's row
  kept): an alert unchanged for an hour is one row, and each edit of it is a new row. Nested lists stay
  nested (fct_service_alerts explodes them); the headline and description are also given as plain text
  (the English translation, else the first one). reminder_times becomes '|'-joined text: array
  columns cannot be given as dbt unit-test inputs on Postgres.
-#}
{%- set provenance = [
    'source_file_id', 'feed_timestamp', 'entity_id', 'entity_index', 'is_deleted',
    'has_millisecond_timestamp', 'lake_batch_id',
] -%}
{%- set record = [
    'cause', 'effect', 'severity_level', 'cause_detail', 'effect_detail', 'url', 'header_text',
    'description_text', 'tts_header_text', 'tts_description_text', 'image_alternative_text',
    'active_period', 'communication_period', 'impact_period', 'informed_entity', 'alert_lifecycle',
    'created_timestamp', 'last_modified_timestamp', 'last_push_notification_timestamp',
    'closed_timestamp', 'duration_certainty', 'severity', 'short_header_text', 'service_effect_text',
    'timeframe_text', 'recurrence_text', 'reminder_times',
] -%}

with alerts as (
    select
        {{ provenance | join(',\n        ') }},
        {{ record | reject('equalto', 'reminder_times') | join(',\n        ') }},
        array_to_string(reminder_times, '|') as reminder_times,
        {{ translated_text('header_text') }} as header_text_en,
        {{ translated_text('description_text') }} as description_text_en,
        {{ translated_text('service_effect_text') }} as service_effect_text_en
    from {{ source('raw', 'gtfs_rt__alerts') }}
)

{{ keep_first_of_repeats(
    'alerts',
    ['entity_id'] + record,
    'feed_timestamp, source_file_id, entity_index',
    provenance + record + ['header_text_en', 'description_text_en', 'service_effect_text_en'],
) }}
