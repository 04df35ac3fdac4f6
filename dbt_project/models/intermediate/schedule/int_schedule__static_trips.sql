{#-
  One row per rail static trip of a feed version (rule 3.1: route_type < 3, with at least one stop_time):
  what trip matching (section 10) and the scheduled metrics (section 11) need to know about it.

  * first_arrival_seconds: its minimum arrival_time, the backup-match static_start_time (rule 10.2);
  * first_departure_seconds: its minimum departure_time, fill 2.3(a) of the realtime start_time;
  * stop_time_count: its number of stop_times, static_stop_count (rules 10.1, 10.2);
  * branch_route_id / trunk_route_id: rule 8.2 applied to its stop_ids (rule 11.2, Ashmont first: 13.4);
  * route_key: rule 10.2, `Red-A` for a Red trip with an Ashmont-set stop and `Red-B` for any other Red
    trip. Generalised through the seeds: a route listed in rail_branch_stops takes the matched branch with
    the lowest check_order, else its branch with the greatest check_order; a route in route_trunks takes
    its seeded branch; any other route its trunk (route_id). This is the static twin of the realtime
    coalesce(branch, trunk) of rule 10.3.
-#}

with rail_trips as (
    select
        trips.feed_key,
        trips.trip_id,
        trips.route_id,
        trips.service_id,
        trips.direction_id,
        routes.route_type
    from {{ ref('stg_gtfs_static__trips') }} as trips
    inner join {{ ref('stg_gtfs_static__routes') }} as routes
        on
            trips.feed_key = routes.feed_key
            and trips.route_id = routes.route_id
    where routes.route_type < 3
),

stop_time_summary as (
    select
        feed_key,
        trip_id,
        min(arrival_time_seconds) as first_arrival_seconds,
        min(departure_time_seconds) as first_departure_seconds,
        count(*) as stop_time_count
    from {{ ref('stg_gtfs_static__stop_times') }}
    group by feed_key, trip_id
),

branch_matches as (
    {#- rule 8.2 on the static side: any stop_time in a branch set; the lowest check_order wins -#}
    select
        stop_times.feed_key,
        stop_times.trip_id,
        min(branch_stops.check_order) as matched_check_order
    from {{ ref('stg_gtfs_static__stop_times') }} as stop_times
    inner join rail_trips
        on
            stop_times.feed_key = rail_trips.feed_key
            and stop_times.trip_id = rail_trips.trip_id
    inner join {{ ref('rail_branch_stops') }} as branch_stops
        on
            rail_trips.route_id = branch_stops.route_id
            and stop_times.stop_id = cast(branch_stops.stop_id as {{ dbt.type_string() }})
    group by stop_times.feed_key, stop_times.trip_id
),

route_branches as (
    {#- each branched route's branches in check order; the last one is rule 10.2's default (`Red-B`) -#}
    select
        route_id,
        branch_route_id,
        check_order,
        row_number() over (
            partition by route_id
            order by check_order desc, {{ binary_text('branch_route_id') }} desc
        ) as reverse_order
    from (
        select distinct
            route_id,
            branch_route_id,
            check_order
        from {{ ref('rail_branch_stops') }}
    ) as distinct_branches
),

classified as (
    select
        rail_trips.feed_key,
        rail_trips.trip_id,
        rail_trips.route_id,
        rail_trips.service_id,
        rail_trips.direction_id,
        rail_trips.route_type,
        stop_time_summary.first_arrival_seconds,
        stop_time_summary.first_departure_seconds,
        stop_time_summary.stop_time_count,
        coalesce(trunks.branch_route_id, matched_branch.branch_route_id) as branch_route_id,
        coalesce(trunks.trunk_route_id, rail_trips.route_id) as trunk_route_id,
        default_branch.branch_route_id as default_branch_route_id
    from rail_trips
    inner join stop_time_summary
        on
            rail_trips.feed_key = stop_time_summary.feed_key
            and rail_trips.trip_id = stop_time_summary.trip_id
    left join {{ ref('route_trunks') }} as trunks
        on rail_trips.route_id = trunks.route_id
    left join branch_matches
        on
            rail_trips.feed_key = branch_matches.feed_key
            and rail_trips.trip_id = branch_matches.trip_id
    left join route_branches as matched_branch
        on
            rail_trips.route_id = matched_branch.route_id
            and branch_matches.matched_check_order = matched_branch.check_order
    left join route_branches as default_branch
        on
            rail_trips.route_id = default_branch.route_id
            and default_branch.reverse_order = 1
)

select
    feed_key,
    trip_id,
    route_id,
    service_id,
    direction_id,
    route_type,
    first_arrival_seconds,
    first_departure_seconds,
    stop_time_count,
    branch_route_id,
    trunk_route_id,
    coalesce(branch_route_id, default_branch_route_id, trunk_route_id) as route_key
from classified
