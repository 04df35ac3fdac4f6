{#-
  Incremental rebuild by service date (issue 3, rule 9.8: every column of D is recomputed whenever any
  input of D changes).

  Every realtime row carries the `input_fingerprint` of its service date (int_rt__service_date_inputs:
  how many lake batches hold rows of D, and which static feed is version(D)). A service date is rebuilt
  when the incremental model holds no row of D with the current fingerprint: new or late realtime files,
  a new static feed that changes version(D), and a date held back until its feed arrives (rule 3.3.3) all
  change it. Because the comparison is against the model's own rows, a failed run simply retries next
  time. On top, the last `rt_lookback_days` service dates already built are always recomputed.

  Models use it as `where ... {{ rt_service_dates_to_rebuild('rows') }}` with delete+insert on
  service_date, so the rebuilt dates replace their old rows whole.
-#}
{% macro rt_service_dates_to_rebuild(alias) -%}
    {#- `this` is None inside dbt unit tests, which always exercise the full-refresh logic -#}
    {%- if this is not none and is_incremental() -%}
        and (
            not exists (
                select 1
                from {{ this }} as already_built
                where
                    already_built.service_date = {{ alias }}.service_date
                    and already_built.input_fingerprint = {{ alias }}.input_fingerprint
            )
            or {{ alias }}.service_date >= (
                select
                    {{ date_to_yyyymmdd(
                        dbt.dateadd('day', -1 * var('rt_lookback_days', 1), yyyymmdd_to_date('max(latest.service_date)'))
                    ) }}
                from {{ this }} as latest
            )
        )
    {%- endif -%}
{%- endmacro %}


{#-
  Rule 2.1 service date of a realtime row: start_date when it is a real date, otherwise from the row's
  timestamp (vehicle timestamp for VP, issue time for TU) with the agency's cutoff, or NULL when there is
  no usable timestamp. `settings` is the one-row seed agency_settings joined into the query.
-#}
{% macro rt_service_date(start_date_expr, timestamp_expr, settings='settings') -%}
    coalesce(
        {{ gtfs_date_to_yyyymmdd(start_date_expr) }},
        case
            when {{ timestamp_expr }} > 0
                then {{ epoch_to_service_date(
                    timestamp_expr,
                    settings ~ '.agency_timezone',
                    settings ~ '.service_day_cutoff_seconds'
                ) }}
        end
    )
{%- endmacro %}


{#-
  Post-hook of the realtime tables: refresh the planner statistics right after a build. A table that
  Postgres has not analysed yet is estimated at one row, and the metric joins then pick nested plans
  that take minutes instead of milliseconds. DuckDB keeps its statistics itself: nothing to do.
-#}
{% macro rt_analyze_table() -%}
    {{ return(adapter.dispatch('rt_analyze_table')()) }}
{%- endmacro %}

{% macro default__rt_analyze_table() -%}
{%- endmacro %}

{% macro postgres__rt_analyze_table() -%}
    analyze {{ this }}
{%- endmacro %}
