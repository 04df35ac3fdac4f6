{#-
  One row per realtime trip key (rule 0.2): the static trip it is matched to (section 10) and its start
  time with fill 2.3(a).

  * Exact match (rule 10.1): the RT start_time (before any fill) is not NULL and version(D) has a rail static
    trip with the same trip_id and at least one stop_time. No route or service check.
  * Backup match (rules 10.2-10.4), for every other trip: among the static trips of version(D) whose service
    is active on D (rule 3.5), with the same direction_id and route_key, the one whose first arrival is
    nearest the trip's filled start_time; ties go to the greater static start, then the greater trip_id.
  * No match: static_* NULL, has_static_match false. A version without stop_times (rule 3.4) matches nothing.

  start_time is rule 2.3: the RT start_time, else (a) the first departure of the static trip with the same
  trip_id, else (b) (already computed by int_rt__trips). Fill (a) never enables an exact match.
-#}

with realtime_trips as (
    select
        service_date,
        route_id,
        trip_id,
        feed_key,
        direction_id = 1 as direction_id,
        rt_start_time_seconds,
        start_time as start_time_fill_b,
        coalesce(branch_route_id, trunk_route_id) as route_key
    from {{ ref('int_rt__trips') }}
),

with_same_trip_id as (
    select
        realtime_trips.*,
        same_trip.stop_time_count as same_trip_stop_time_count,
        coalesce(
            realtime_trips.rt_start_time_seconds,
            same_trip.first_departure_seconds,
            realtime_trips.start_time_fill_b
        ) as start_time
    from realtime_trips
    left join {{ ref('int_schedule__static_trips') }} as same_trip
        on
            realtime_trips.feed_key = same_trip.feed_key
            and realtime_trips.trip_id = same_trip.trip_id
),

backup_candidates as (
    {#- rule 10.2: static trips of version(D) whose service is active on D -#}
    select
        active.service_date,
        static_trips.feed_key,
        static_trips.trip_id,
        static_trips.direction_id,
        static_trips.route_key,
        static_trips.first_arrival_seconds,
        static_trips.stop_time_count
    from {{ ref('int_schedule__static_trips') }} as static_trips
    inner join {{ ref('int_static__active_services') }} as active
        on
            static_trips.feed_key = active.feed_key
            and static_trips.service_id = active.service_id
),

backup_ranked as (
    select
        unmatched.service_date,
        unmatched.route_id,
        unmatched.trip_id,
        candidates.trip_id as static_trip_id,
        candidates.first_arrival_seconds,
        candidates.stop_time_count,
        row_number() over (
            partition by unmatched.service_date, unmatched.route_id, unmatched.trip_id
            order by
                abs(unmatched.start_time - candidates.first_arrival_seconds) asc,
                candidates.first_arrival_seconds desc,
                {{ binary_text('candidates.trip_id') }} desc
        ) as nearness_rank
    from with_same_trip_id as unmatched
    inner join backup_candidates as candidates
        on
            unmatched.service_date = candidates.service_date
            and unmatched.feed_key = candidates.feed_key
            and unmatched.direction_id = candidates.direction_id
            and unmatched.route_key = candidates.route_key
    where
        not coalesce(
            unmatched.rt_start_time_seconds is not null and unmatched.same_trip_stop_time_count > 0, false
        )
        and unmatched.start_time is not null
        and candidates.first_arrival_seconds is not null
),

matched as (
    select
        trips.service_date,
        trips.route_id,
        trips.trip_id,
        trips.feed_key,
        trips.route_key,
        trips.start_time,
        coalesce(
            trips.rt_start_time_seconds is not null and trips.same_trip_stop_time_count > 0, false
        ) as first_last_station_match,
        backup.static_trip_id as backup_trip_id,
        backup.first_arrival_seconds as backup_start_time,
        backup.stop_time_count as backup_stop_count,
        trips.rt_start_time_seconds,
        trips.same_trip_stop_time_count
    from with_same_trip_id as trips
    left join backup_ranked as backup
        on
            trips.service_date = backup.service_date
            and trips.route_id = backup.route_id
            and trips.trip_id = backup.trip_id
            and backup.nearness_rank = 1
)

select
    matched.service_date,
    matched.route_id,
    matched.trip_id,
    matched.feed_key,
    matched.route_key,
    matched.start_time,
    case when matched.first_last_station_match then matched.trip_id else matched.backup_trip_id end
        as static_trip_id_guess,
    case
        when matched.first_last_station_match then matched.rt_start_time_seconds
        else matched.backup_start_time
    end as static_start_time,
    case
        when matched.first_last_station_match then matched.same_trip_stop_time_count
        else matched.backup_stop_count
    end as static_stop_count,
    matched.first_last_station_match,
    (matched.first_last_station_match or matched.backup_trip_id is not null) as has_static_match,
    {#- rule 9.3: the static stop list applies only if the guessed trip's service runs on D -#}
    coalesce(guess_active.service_id is not null, false) as static_service_active
from matched
left join {{ ref('int_schedule__static_trips') }} as guess
    on
        matched.feed_key = guess.feed_key
        and (case when matched.first_last_station_match then matched.trip_id else matched.backup_trip_id end)
        = guess.trip_id
left join {{ ref('int_static__active_services') }} as guess_active
    on
        guess.feed_key = guess_active.feed_key
        and guess.service_id = guess_active.service_id
        and matched.service_date = guess_active.service_date
