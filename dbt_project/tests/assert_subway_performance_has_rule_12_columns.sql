{#-
  Rule 12.3: marts.subway_performance has exactly LAMP's 27 columns in this order, so existing consumers
  of the public daily file can switch without changing a line. Returns the positions that differ.
-#}

-- depends_on: {{ ref('subway_performance') }}
{%- set expected = [
    'stop_sequence', 'stop_id', 'parent_station', 'move_timestamp', 'stop_timestamp',
    'travel_time_seconds', 'dwell_time_seconds', 'headway_trunk_seconds', 'headway_branch_seconds',
    'service_date', 'route_id', 'direction_id', 'start_time', 'vehicle_id', 'branch_route_id',
    'trunk_route_id', 'stop_count', 'trip_id', 'vehicle_label', 'vehicle_consist', 'direction',
    'direction_destination', 'scheduled_arrival_time', 'scheduled_departure_time',
    'scheduled_travel_time', 'scheduled_headway_branch', 'scheduled_headway_trunk',
] -%}
{%- if execute -%}
    {%- set actual = adapter.get_columns_in_relation(ref('subway_performance')) | map(attribute='name') | list -%}
{%- else -%}
    {%- set actual = expected -%}
{%- endif %}

{% for position in range([expected | length, actual | length] | max) -%}
    select
        {{ position + 1 }} as column_position,
        '{{ expected[position] if position < expected | length else "" }}' as expected_column,
        '{{ actual[position] if position < actual | length else "" }}' as actual_column
    where
        '{{ expected[position] if position < expected | length else "" }}'
        <> '{{ actual[position] if position < actual | length else "" }}'
    {{ 'union all' if not loop.last }}
{% endfor %}
