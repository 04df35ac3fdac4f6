{#-
  Time conversions shared by the static and realtime models (spec ../shared/spec/rail-metrics.md).

  Only these three macros (and the adapter-specific pieces they dispatch to) know how DuckDB and
  Postgres differ on time zones; models call the macros and stay identical on both targets.
-#}

{#- Regular-expression test, the one piece of string matching dbt has no cross-database macro for. -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regex_matches(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}


{#-
  GTFS `H:MM:SS` → seconds after midnight (rule 0.1: H·3600+M·60+S, H may be ≥ 24 so the result may be
  ≥ 86400). Surrounding blanks are ignored; anything that is not H:MM:SS (empty, NULL, `8:5`, `abc`) gives
  NULL (rule 13.13) instead of failing the build.
-#}
{% macro gtfs_time_to_seconds(expr) -%}
    case
        when {{ regex_matches('trim(' ~ expr ~ ')', '^[0-9]{1,4}:[0-9]{2}:[0-9]{2}$') }}
            then
                cast({{ dbt.split_part('trim(' ~ expr ~ ')', "':'", 1) }} as {{ dbt.type_bigint() }}) * 3600
                + cast({{ dbt.split_part('trim(' ~ expr ~ ')', "':'", 2) }} as {{ dbt.type_bigint() }}) * 60
                + cast({{ dbt.split_part('trim(' ~ expr ~ ')', "':'", 3) }} as {{ dbt.type_bigint() }})
    end
{%- endmacro %}


{#-
  Realtime trip.start_time → seconds (rule 2.2): `H:MM:SS` as gtfs_time_to_seconds, a bare integer taken
  as is, anything else NULL.
-#}
{% macro rt_start_time_to_seconds(expr) -%}
    case
        when {{ regex_matches('trim(' ~ expr ~ ')', '^-?[0-9]{1,12}$') }}
            then cast(trim({{ expr }}) as {{ dbt.type_bigint() }})
        else {{ gtfs_time_to_seconds(expr) }}
    end
{%- endmacro %}


{#- Epoch seconds → local wall-clock timestamp (timestamp without time zone) in the zone tz_expr. -#}
{% macro epoch_to_local_timestamp(epoch_expr, tz_expr) -%}
    {{ return(adapter.dispatch('epoch_to_local_timestamp')(epoch_expr, tz_expr)) }}
{%- endmacro %}

{% macro default__epoch_to_local_timestamp(epoch_expr, tz_expr) -%}
    {#- DuckDB: ICU is built in; timezone(zone, timestamptz) gives the local wall-clock timestamp. -#}
    timezone({{ tz_expr }}, to_timestamp(cast({{ epoch_expr }} as double)))
{%- endmacro %}

{% macro postgres__epoch_to_local_timestamp(epoch_expr, tz_expr) -%}
    (to_timestamp(cast({{ epoch_expr }} as double precision)) at time zone {{ tz_expr }})
{%- endmacro %}


{#- Local wall-clock timestamp (without time zone) in the zone tz_expr → epoch seconds (bigint). -#}
{% macro local_timestamp_to_epoch(local_ts_expr, tz_expr) -%}
    {{ return(adapter.dispatch('local_timestamp_to_epoch')(local_ts_expr, tz_expr)) }}
{%- endmacro %}

{% macro default__local_timestamp_to_epoch(local_ts_expr, tz_expr) -%}
    {#- DuckDB: timezone(zone, timestamp) reads the wall-clock time in that zone and gives a timestamptz. -#}
    cast(epoch(timezone({{ tz_expr }}, {{ local_ts_expr }})) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro postgres__local_timestamp_to_epoch(local_ts_expr, tz_expr) -%}
    cast(extract(epoch from ({{ local_ts_expr }} at time zone {{ tz_expr }})) as {{ dbt.type_bigint() }})
{%- endmacro %}


{#- A date (or timestamp) → integer YYYYMMDD (rule 0.1). -#}
{% macro date_to_yyyymmdd(date_expr) -%}
    cast(
        extract(year from {{ date_expr }}) * 10000
        + extract(month from {{ date_expr }}) * 100
        + extract(day from {{ date_expr }})
        as integer
    )
{%- endmacro %}


{#- Integer YYYYMMDD → date. -#}
{% macro yyyymmdd_to_date(yyyymmdd_expr) -%}
    {#- floor keeps integer division on DuckDB, whose / is true division -#}
    make_date(
        cast(floor({{ yyyymmdd_expr }} / 10000) as integer),
        cast(floor({{ yyyymmdd_expr }} / 100) as integer) % 100,
        cast({{ yyyymmdd_expr }} as integer) % 100
    )
{%- endmacro %}


{#-
  Epoch seconds → service date, integer YYYYMMDD (rule 2.1): the local date, minus one day when the local
  time is before the cutoff (exactly the cutoff counts as the same day). Subtracting the cutoff from the
  local wall-clock time and taking the date does both at once, DST included (wall-clock arithmetic).
  Example: 1683617400 (2023-05-09 03:30 EDT), cutoff 14400 → 20230508.
-#}
{% macro epoch_to_service_date(epoch_expr, tz_expr, cutoff_seconds_expr) -%}
    {{ date_to_yyyymmdd(
        '(' ~ epoch_to_local_timestamp(epoch_expr, tz_expr)
        ~ ' - cast(' ~ cutoff_seconds_expr ~ ' as integer) * interval \'1 second\')'
    ) }}
{%- endmacro %}


{#-
  Service date (integer YYYYMMDD) → epoch of its local midnight (rule 0.1), e.g. 20230508 → 1683518400.
-#}
{% macro service_date_local_midnight_epoch(service_date_expr, tz_expr) -%}
    {{ local_timestamp_to_epoch('cast(' ~ yyyymmdd_to_date(service_date_expr) ~ ' as timestamp)', tz_expr) }}
{%- endmacro %}


{#-
  Text in binary (C) collation for ORDER BY / comparisons whose result depends on the order of text
  (rule 0.5). DuckDB compares binary by default; Postgres needs COLLATE "C" (its default collation may be
  a locale one).
-#}
{% macro binary_text(expr) -%}
    {{ return(adapter.dispatch('binary_text')(expr)) }}
{%- endmacro %}

{% macro default__binary_text(expr) -%}
    {{ expr }}
{%- endmacro %}

{% macro postgres__binary_text(expr) -%}
    ({{ expr }} collate "C")
{%- endmacro %}


{#-
  GTFS date text `YYYYMMDD` → integer YYYYMMDD, or NULL when it is not a real calendar date (rule 13.13:
  a malformed start_date becomes NULL, so rule 2.1 derives the service date from the timestamp instead).
  The nested CASE only builds a date once year and month are known to be valid, so no target errors.
-#}
{% macro gtfs_date_to_yyyymmdd(expr) -%}
    case
        when {{ regex_matches('trim(' ~ expr ~ ')', '^[0-9]{8}$') }}
            then
                case
                    when
                        cast(substring(trim({{ expr }}), 1, 4) as integer) >= 1
                        and cast(substring(trim({{ expr }}), 5, 2) as integer) between 1 and 12
                        and cast(substring(trim({{ expr }}), 7, 2) as integer) >= 1
                        then
                            case
                                when
                                    cast(substring(trim({{ expr }}), 7, 2) as integer)
                                    <= extract(
                                        day from {{ dbt.last_day(
                                            'make_date(cast(substring(trim(' ~ expr ~ '), 1, 4) as integer), '
                                            ~ 'cast(substring(trim(' ~ expr ~ '), 5, 2) as integer), 1)',
                                            'month'
                                        ) }}
                                    )
                                    then cast(trim({{ expr }}) as integer)
                            end
                end
    end
{%- endmacro %}
