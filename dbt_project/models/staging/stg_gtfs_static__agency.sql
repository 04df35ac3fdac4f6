-- agency.txt per feed version: typed, empty strings NULL, exact duplicate rows dropped (rule 3.1).
select distinct
    feed_key,
    {{ clean_text('agency_id') }} as agency_id,
    {{ clean_text('agency_name') }} as agency_name,
    {{ clean_text('agency_url') }} as agency_url,
    {{ clean_text('agency_timezone') }} as agency_timezone,
    {{ clean_text('agency_lang') }} as agency_lang,
    {{ clean_text('agency_phone') }} as agency_phone,
    {{ clean_text('agency_fare_url') }} as agency_fare_url,
    {{ clean_text('agency_email') }} as agency_email
from {{ source('raw', 'gtfs_static__agency') }}
