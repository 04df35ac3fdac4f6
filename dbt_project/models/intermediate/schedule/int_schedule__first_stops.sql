{#-
  Rule 9.3, the first-stop flag of every event of M(D) (has_vp events, rule 9.1):

  * rt_first: the event has the trip's minimum stop_sequence;
  * rt_rank: rank of stop_sequence within the trip (ties share a rank, ranks then skip);
  * the static list is the stop_times of the trip's static_trip_id_guess in version(D), only when that trip's
    service is active on D (its route_type < 3 by construction, rule 3.1);
  * an event matches the static rows of its parent_station with static_rank ≤ rt_rank, the smallest wins;
  * first_stop = (static_rank = 1) when matched, else rt_first.

  Stations seen before the scheduled origin are therefore flagged too. Without stop_times (rule 3.4)
  nothing matches and first_stop = rt_first.
-#}

with measured as (
    select
        events.service_date,
        events.route_id,
        events.trip_id,
        events.parent_station,
        events.stop_sequence,
        events.stop_sequence = min(events.stop_sequence) over (
            partition by events.service_date, events.route_id, events.trip_id
        ) as rt_first,
        rank() over (
            partition by events.service_date, events.route_id, events.trip_id
            order by events.stop_sequence asc
        ) as rt_rank
    from {{ ref('int_rt__events') }} as events
    where events.has_vp
),

static_matches as (
    select
        measured.service_date,
        measured.route_id,
        measured.trip_id,
        measured.parent_station,
        min(scheduled.static_rank) as static_rank
    from measured
    inner join {{ ref('int_schedule__trip_matches') }} as matches
        on
            measured.service_date = matches.service_date
            and measured.route_id = matches.route_id
            and measured.trip_id = matches.trip_id
    inner join {{ ref('int_schedule__scheduled_stop_times') }} as scheduled
        on
            matches.feed_key = scheduled.feed_key
            and matches.static_trip_id_guess = scheduled.trip_id
            and measured.parent_station = scheduled.parent_station
            and measured.rt_rank >= scheduled.static_rank
    where matches.static_service_active
    group by measured.service_date, measured.route_id, measured.trip_id, measured.parent_station
)

select
    measured.service_date,
    measured.route_id,
    measured.trip_id,
    measured.parent_station,
    measured.rt_first,
    measured.rt_rank,
    static_matches.static_rank,
    case
        when static_matches.static_rank is not null then static_matches.static_rank = 1
        else measured.rt_first
    end as first_stop
from measured
left join static_matches
    on
        measured.service_date = static_matches.service_date
        and measured.route_id = static_matches.route_id
        and measured.trip_id = static_matches.trip_id
        and measured.parent_station = static_matches.parent_station
