{#-
  version(D), rule 3.3: one row per service date D covered by some landed feed
  (feed_start_date ≤ D ≤ feed_end_date), with the feed version in force for D.
    1. Among the covering feeds already active on D (feed_active_date ≤ D): the greatest
       feed_active_date, then the greatest version key.
    2. Else, among the covering feeds: the greatest feed_start_date, then the greatest version key.
    3. Else (no covering feed): no row, so the realtime models hold D back.
  A last tie (equal version keys) goes to the lowest feed_key, so the choice is deterministic.
-#}

with feeds as (
    select
        feed_key,
        version_key,
        feed_start_date,
        feed_end_date,
        feed_active_date,
        {{ yyyymmdd_to_date('feed_start_date') }} as start_day,
        {{ yyyymmdd_to_date('feed_end_date') }} as end_day
    from {{ ref('int_static__feed_versions') }}
    where feed_start_date is not null and feed_end_date is not null
),

day_offsets as (
    {{ day_offsets() }}
),

covered_dates as (
    select
        feeds.feed_key,
        feeds.version_key,
        feeds.feed_start_date,
        feeds.feed_active_date,
        {{ date_to_yyyymmdd(dbt.dateadd('day', 'day_offsets.day_offset', 'feeds.start_day')) }} as service_date
    from feeds
    inner join day_offsets
        on day_offsets.day_offset <= {{ dbt.datediff('feeds.start_day', 'feeds.end_day', 'day') }}
),

ranked as (
    select
        service_date,
        feed_key,
        version_key,
        coalesce(feed_active_date <= service_date, false) as is_active_on_date,
        row_number() over (
            partition by service_date
            order by
                case when feed_active_date <= service_date then 1 else 0 end desc,
                case
                    when feed_active_date <= service_date then feed_active_date else feed_start_date
                end desc,
                version_key desc,
                feed_key asc
        ) as preference
    from covered_dates
)

select
    service_date,
    feed_key,
    version_key,
    is_active_on_date
from ranked
where preference = 1
