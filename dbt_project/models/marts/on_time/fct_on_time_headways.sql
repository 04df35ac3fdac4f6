{{ config(materialized='table') }}

{#-
  Headway adherence per service date, line (trunk_route_id, rule 8.2), station, direction and schedule
  hour (beyond LAMP): the measured trunk headways (rule 9.6) against the scheduled trunk headways of the
  matched static trips (rules 11.3, 12.2), and the share of long gaps.

  * schedule_hour: the hour of the departure that closes the headway, counted like GTFS times from the
    service day's start (noon minus 12 hours), so 24, 25... are after midnight of the same service day;
  * a headway pair has both a measured and a scheduled value > 0;
  * a long gap is a pair whose measured headway exceeds long_gap_ratio × the scheduled one (seed
    on_time_thresholds).
-#}

with thresholds as (
    select long_gap_ratio
    from {{ ref('on_time_thresholds') }}
),

headways as (
    select
        events.service_date,
        trips.trunk_route_id,
        events.parent_station,
        trips.direction_id,
        cast(
            floor((events.next_departure_timestamp - days.schedule_day_start_epoch) / 3600.0)
            as integer
        ) as schedule_hour,
        events.headway_trunk_seconds as observed_headway_seconds,
        case when schedule.scheduled_headway_trunk > 0 then schedule.scheduled_headway_trunk end
            as scheduled_headway_seconds
    from {{ ref('fct_vehicle_events') }} as events
    inner join {{ ref('dim_vehicle_trips') }} as trips
        on
            events.service_date = trips.service_date
            and events.route_id = trips.route_id
            and events.trip_id = trips.trip_id
    inner join {{ ref('int_schedule__service_days') }} as days
        on events.service_date = days.service_date
    left join {{ ref('int_schedule__event_schedule') }} as schedule
        on
            events.service_date = schedule.service_date
            and events.route_id = schedule.route_id
            and events.trip_id = schedule.trip_id
            and events.parent_station = schedule.parent_station
    where events.headway_trunk_seconds is not null
),

pairs as (
    select
        headways.*,
        case
            when headways.scheduled_headway_seconds is not null
                then case
                    when headways.observed_headway_seconds
                        > thresholds.long_gap_ratio * headways.scheduled_headway_seconds
                        then 1
                    else 0
                end
        end as is_long_gap
    from headways
    cross join thresholds
)

select
    service_date,
    trunk_route_id,
    parent_station,
    direction_id,
    schedule_hour,
    count(*) as observed_headway_count,
    count(scheduled_headway_seconds) as compared_headway_count,
    cast(avg(observed_headway_seconds) as {{ dbt.type_float() }}) as avg_observed_headway_seconds,
    cast(avg(scheduled_headway_seconds) as {{ dbt.type_float() }}) as avg_scheduled_headway_seconds,
    cast(
        sum(case when scheduled_headway_seconds is not null then observed_headway_seconds end) as
        {{ dbt.type_float() }}
    ) / nullif(sum(scheduled_headway_seconds), 0) as headway_adherence_ratio,
    coalesce(sum(is_long_gap), 0) as long_gap_count,
    cast(coalesce(sum(is_long_gap), 0) as {{ dbt.type_float() }}) / nullif(count(scheduled_headway_seconds), 0)
        as long_gap_share
from pairs
group by service_date, trunk_route_id, parent_station, direction_id, schedule_hour
