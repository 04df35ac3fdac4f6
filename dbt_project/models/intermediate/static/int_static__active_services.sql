{#-
  Services active on a date (rule 3.5), per feed version: (feed_key, service_date, service_id) for the
  dates of the feed's validity range (feed_start_date … feed_end_date, unbounded where the feed gives
  none). A service is active on D if
    - a calendar row covers D with D's weekday flag set and calendar_dates has no exception 2 for D, or
    - calendar_dates has an exception 1 for D (calendar_dates-only feeds work this way).
  A feed without calendars has no active service (rule 3.4).
-#}

with calendar as (
    select
        feed_key,
        service_id,
        monday,
        tuesday,
        wednesday,
        thursday,
        friday,
        saturday,
        sunday,
        {{ yyyymmdd_to_date('start_date') }} as start_day,
        {{ yyyymmdd_to_date('end_date') }} as end_day
    from {{ ref('stg_gtfs_static__calendar') }}
    where start_date is not null and end_date is not null and start_date <= end_date
),

day_offsets as (
    {{ day_offsets() }}
),

calendar_days as (
    select
        calendar.feed_key,
        calendar.service_id,
        {{ dbt.dateadd('day', 'day_offsets.day_offset', 'calendar.start_day') }} as service_day,
        calendar.monday,
        calendar.tuesday,
        calendar.wednesday,
        calendar.thursday,
        calendar.friday,
        calendar.saturday,
        calendar.sunday
    from calendar
    inner join day_offsets
        on day_offsets.day_offset <= {{ dbt.datediff('calendar.start_day', 'calendar.end_day', 'day') }}
),

calendar_weekdays as (
    select
        feed_key,
        service_id,
        {{ date_to_yyyymmdd('service_day') }} as service_date
    from calendar_days
    where
        case cast(extract(dow from service_day) as integer)
            when 0 then sunday
            when 1 then monday
            when 2 then tuesday
            when 3 then wednesday
            when 4 then thursday
            when 5 then friday
            when 6 then saturday
        end
),

exceptions as (
    select
        feed_key,
        service_id,
        date as service_date,
        exception_type
    from {{ ref('stg_gtfs_static__calendar_dates') }}
    where date is not null
),

active as (
    select
        calendar_weekdays.feed_key,
        calendar_weekdays.service_id,
        calendar_weekdays.service_date
    from calendar_weekdays
    left join exceptions as removed
        on
            calendar_weekdays.feed_key = removed.feed_key
            and calendar_weekdays.service_id = removed.service_id
            and calendar_weekdays.service_date = removed.service_date
            and removed.exception_type = 2
    where removed.service_id is null

    union

    select
        feed_key,
        service_id,
        service_date
    from exceptions
    where exception_type = 1
),

feeds as (
    select
        feed_key,
        feed_start_date,
        feed_end_date
    from {{ ref('int_static__feed_versions') }}
)

select
    active.feed_key,
    active.service_date,
    active.service_id
from active
left join feeds
    on active.feed_key = feeds.feed_key
where
    (feeds.feed_start_date is null or active.service_date >= feeds.feed_start_date)
    and (feeds.feed_end_date is null or active.service_date <= feeds.feed_end_date)
