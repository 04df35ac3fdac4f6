-- feed_info.txt per feed version: dates as integer YYYYMMDD, exact duplicate rows dropped (rule 3.1).
select distinct
    feed_key,
    {{ clean_text('feed_publisher_name') }} as feed_publisher_name,
    {{ clean_text('feed_publisher_url') }} as feed_publisher_url,
    {{ clean_text('feed_lang') }} as feed_lang,
    {{ clean_text('default_lang') }} as default_lang,
    {{ gtfs_date_to_integer('feed_start_date') }} as feed_start_date,
    {{ gtfs_date_to_integer('feed_end_date') }} as feed_end_date,
    {{ clean_text('feed_version') }} as feed_version,
    {{ clean_text('feed_contact_email') }} as feed_contact_email,
    {{ clean_text('feed_contact_url') }} as feed_contact_url
from {{ source('raw', 'gtfs_static__feed_info') }}
