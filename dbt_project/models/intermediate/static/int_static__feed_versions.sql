{#-
  One row per landed static feed version with its feed_active_date (rule 3.2): the local date (agency
  time zone, seed agency_settings) of the first ISO-8601 timestamp with offset found in feed_version,
  else feed_start_date. Example: 'Spring 2023, 2023-04-24T21:42:57+00:00, version D' → 20230424.
-#}

with settings as (
    select agency_timezone
    from {{ ref('agency_settings') }}
),

versions as (
    select
        feed_key,
        version_key,
        feed_version,
        feed_start_date,
        feed_end_date,
        missing_files,
        {{ first_iso_timestamp_with_offset('feed_version') }} as published_at_text
    from {{ ref('stg_gtfs_static__feed_versions') }}
)

select
    versions.feed_key,
    versions.version_key,
    versions.feed_version,
    versions.feed_start_date,
    versions.feed_end_date,
    coalesce(
        {{ iso_timestamp_to_local_yyyymmdd('versions.published_at_text', 'settings.agency_timezone') }},
        versions.feed_start_date
    ) as feed_active_date,
    versions.missing_files
from versions
cross join settings
