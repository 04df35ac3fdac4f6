{{ config(materialized='table') }}

{#-
  On-time performance per trip-stop (beyond LAMP): each VP-observed event (rule 7.1) of a trip matched to
  the schedule (section 10) that has a scheduled row at its station (rule 12.2), with how far its arrival
  and departure were from the schedule.

  * observed arrival: stop_timestamp = coalesce(vp_stop, tu_stop) (rule 7.1);
  * observed departure: the vp_move of the trip's next VP event (rule 5.2), in trip order (rule 9.1);
  * scheduled instants: the GTFS times of the matched static trip, counted from noon minus 12 hours local
    time (int_schedule__service_days), so DST days are right;
  * deviation = observed − scheduled (positive = late); status from the seed on_time_thresholds: `early`
    when more than early_seconds ahead, `late` when more than late_seconds behind, else `on_time`.
-#}

with thresholds as (
    select
        early_seconds,
        late_seconds
    from {{ ref('on_time_thresholds') }}
),

observed as (
    select
        events.service_date,
        events.route_id,
        events.trip_id,
        events.parent_station,
        events.stop_id,
        events.stop_sequence,
        events.direction_id,
        events.revenue,
        events.stop_timestamp as observed_arrival_timestamp,
        next_events.vp_move_timestamp as observed_departure_timestamp
    from {{ ref('fct_vehicle_events') }} as events
    left join {{ ref('fct_vehicle_events') }} as next_events
        on
            events.service_date = next_events.service_date
            and events.route_id = next_events.route_id
            and events.trip_id = next_events.trip_id
            and events.next_parent_station = next_events.parent_station
    where events.has_vp
),

deviations as (
    select
        observed.*,
        schedule.static_trip_id_guess,
        matches.first_last_station_match,
        schedule.scheduled_stop_sequence,
        schedule.scheduled_arrival_time,
        schedule.scheduled_departure_time,
        schedule.scheduled_arrival_epoch,
        schedule.scheduled_departure_epoch,
        observed.observed_arrival_timestamp - schedule.scheduled_arrival_epoch as arrival_deviation_seconds,
        observed.observed_departure_timestamp - schedule.scheduled_departure_epoch
            as departure_deviation_seconds
    from observed
    inner join {{ ref('int_schedule__event_schedule') }} as schedule
        on
            observed.service_date = schedule.service_date
            and observed.route_id = schedule.route_id
            and observed.trip_id = schedule.trip_id
            and observed.parent_station = schedule.parent_station
    inner join {{ ref('int_schedule__trip_matches') }} as matches
        on
            observed.service_date = matches.service_date
            and observed.route_id = matches.route_id
            and observed.trip_id = matches.trip_id
)

select
    deviations.service_date,
    deviations.route_id,
    deviations.trip_id,
    deviations.parent_station,
    deviations.stop_id,
    deviations.stop_sequence,
    deviations.direction_id,
    deviations.revenue,
    deviations.static_trip_id_guess,
    deviations.first_last_station_match,
    deviations.scheduled_stop_sequence,
    deviations.scheduled_arrival_time,
    deviations.scheduled_departure_time,
    deviations.scheduled_arrival_epoch,
    deviations.scheduled_departure_epoch,
    deviations.observed_arrival_timestamp,
    deviations.observed_departure_timestamp,
    deviations.arrival_deviation_seconds,
    deviations.departure_deviation_seconds,
    case
        when deviations.arrival_deviation_seconds < -thresholds.early_seconds then 'early'
        when deviations.arrival_deviation_seconds > thresholds.late_seconds then 'late'
        when deviations.arrival_deviation_seconds is not null then 'on_time'
    end as arrival_status,
    case
        when deviations.departure_deviation_seconds < -thresholds.early_seconds then 'early'
        when deviations.departure_deviation_seconds > thresholds.late_seconds then 'late'
        when deviations.departure_deviation_seconds is not null then 'on_time'
    end as departure_status
from deviations
cross join thresholds
