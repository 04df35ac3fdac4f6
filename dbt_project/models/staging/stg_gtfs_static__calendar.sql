-- calendar.txt per feed version: weekday flags as booleans, dates as integer YYYYMMDD, exact duplicate
-- rows dropped (rule 3.1).
select distinct
    feed_key,
    {{ clean_text('service_id') }} as service_id,
    {{ flag_to_boolean('monday') }} as monday,
    {{ flag_to_boolean('tuesday') }} as tuesday,
    {{ flag_to_boolean('wednesday') }} as wednesday,
    {{ flag_to_boolean('thursday') }} as thursday,
    {{ flag_to_boolean('friday') }} as friday,
    {{ flag_to_boolean('saturday') }} as saturday,
    {{ flag_to_boolean('sunday') }} as sunday,
    {{ gtfs_date_to_integer('start_date') }} as start_date,
    {{ gtfs_date_to_integer('end_date') }} as end_date
from {{ source('raw', 'gtfs_static__calendar') }}
