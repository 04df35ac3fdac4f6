-- calendar_dates.txt per feed version: date as integer YYYYMMDD, exact duplicate rows dropped (rule 3.1).
select distinct
    feed_key,
    {{ clean_text('service_id') }} as service_id,
    {{ gtfs_date_to_integer('date') }} as date,
    {{ to_integer('exception_type') }} as exception_type,
    {{ clean_text('holiday_name') }} as holiday_name
from {{ source('raw', 'gtfs_static__calendar_dates') }}
