{#-
  One row per realtime event (rule 0.2) whose trip has a static match: the scheduled columns of the public
  table (rule 12.2) and their instants.

  Rule 12.2: the stop_times of version(D) with trip_id = static_trip_id_guess and the event's
  parent_station (rule 4.2); when several match (a station served twice), the lowest stop_sequence wins
  (rule 13.10: one row per event). Times are seconds after the service day's start, as in LAMP; the
  *_epoch columns are the same times as instants (int_schedule__service_days: noon minus 12 hours).
-#}

with candidates as (
    select
        events.service_date,
        events.route_id,
        events.trip_id,
        events.parent_station,
        matches.static_trip_id_guess,
        scheduled.stop_sequence as scheduled_stop_sequence,
        scheduled.scheduled_arrival_time,
        scheduled.scheduled_departure_time,
        scheduled.scheduled_travel_time,
        scheduled.scheduled_headway_branch,
        scheduled.scheduled_headway_trunk,
        row_number() over (
            partition by events.service_date, events.route_id, events.trip_id, events.parent_station
            order by scheduled.stop_sequence asc
        ) as stop_sequence_rank
    from {{ ref('int_rt__events') }} as events
    inner join {{ ref('int_schedule__trip_matches') }} as matches
        on
            events.service_date = matches.service_date
            and events.route_id = matches.route_id
            and events.trip_id = matches.trip_id
    inner join {{ ref('int_schedule__scheduled_stop_times') }} as scheduled
        on
            matches.feed_key = scheduled.feed_key
            and matches.static_trip_id_guess = scheduled.trip_id
            and events.parent_station = scheduled.parent_station
)

select
    candidates.service_date,
    candidates.route_id,
    candidates.trip_id,
    candidates.parent_station,
    candidates.static_trip_id_guess,
    candidates.scheduled_stop_sequence,
    candidates.scheduled_arrival_time,
    candidates.scheduled_departure_time,
    candidates.scheduled_travel_time,
    candidates.scheduled_headway_branch,
    candidates.scheduled_headway_trunk,
    days.schedule_day_start_epoch + candidates.scheduled_arrival_time as scheduled_arrival_epoch,
    days.schedule_day_start_epoch + candidates.scheduled_departure_time as scheduled_departure_epoch
from candidates
left join {{ ref('int_schedule__service_days') }} as days
    on candidates.service_date = days.service_date
where candidates.stop_sequence_rank = 1
