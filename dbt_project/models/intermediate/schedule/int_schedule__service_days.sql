{#-
  One row per service date governed by a static version (rule 3.3): where its schedule day starts as an
  instant, and whether that version can give schedules at all (rule 3.4).

  GTFS times count from "noon minus 12 hours" in the agency's local time, not from midnight: on the 23-hour
  day when clocks go forward that instant is 23:00 of the day before, on the 25-hour day when they go back
  it is 01:00. A scheduled time of T seconds therefore happens at schedule_day_start_epoch + T, correct on
  both DST days. The zone is the feed's agency_timezone (the one its times are written in), else the
  agency_settings seed. has_schedule false (a version without stop_times, rule 3.4) on a date with realtime
  rows raises the warning `realtime_dates_without_schedule` and leaves every scheduled column NULL.
-#}

with versions as (
    select
        versions.service_date,
        versions.feed_key,
        coalesce(feeds.agency_timezone, settings.agency_timezone) as schedule_timezone
    from {{ ref('int_static__version_by_service_date') }} as versions
    cross join {{ ref('agency_settings') }} as settings
    left join {{ ref('stg_gtfs_static__feed_versions') }} as feeds
        on versions.feed_key = feeds.feed_key
),

feeds_with_schedules as (
    select
        feed_key,
        count(*) as static_trip_count
    from {{ ref('int_schedule__static_trips') }}
    group by feed_key
),

days as (
    select
        versions.service_date,
        versions.feed_key,
        versions.schedule_timezone,
        {{ local_timestamp_to_epoch(
            'cast(' ~ yyyymmdd_to_date('versions.service_date') ~ ' as timestamp)',
            'versions.schedule_timezone'
        ) }} as local_midnight_epoch,
        {{ local_timestamp_to_epoch(
            '(cast(' ~ yyyymmdd_to_date('versions.service_date') ~ ' as timestamp) + interval \'12 hours\')',
            'versions.schedule_timezone'
        ) }} - 43200 as schedule_day_start_epoch,
        coalesce(feeds_with_schedules.static_trip_count, 0) > 0 as has_schedule,
        realtime_dates.service_date is not null as has_realtime
    from versions
    left join feeds_with_schedules
        on versions.feed_key = feeds_with_schedules.feed_key
    left join {{ ref('int_rt__service_date_inputs') }} as realtime_dates
        on versions.service_date = realtime_dates.service_date
)

select
    service_date,
    feed_key,
    schedule_timezone,
    local_midnight_epoch,
    schedule_day_start_epoch,
    has_schedule,
    has_realtime
from days
