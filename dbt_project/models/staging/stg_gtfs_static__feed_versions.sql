-- One row per landed static feed version (written by the extractor): its version key (rule 0.3) and
-- validity dates as integer YYYYMMDD. The file lists become '|'-joined text.
select distinct
    feed_key,
    cast(version_key as {{ dbt.type_bigint() }}) as version_key,
    {{ clean_text('version_key_source') }} as version_key_source,
    {{ clean_text('feed_version') }} as feed_version,
    {{ clean_text('feed_publisher_name') }} as feed_publisher_name,
    {{ gtfs_date_to_integer('feed_start_date') }} as feed_start_date,
    {{ gtfs_date_to_integer('feed_end_date') }} as feed_end_date,
    {{ clean_text('agency_timezone') }} as agency_timezone,
    {{ clean_text('content_sha256') }} as content_sha256,
    {{ labels_to_text('files') }} as files,
    {{ labels_to_text('missing_files') }} as missing_files
from {{ source('raw', 'gtfs_static__feed_versions') }}
