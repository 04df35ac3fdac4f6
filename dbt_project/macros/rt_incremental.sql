{#-
  Incremental rebuild by service date (issue 3, rule 9.8: every column of D is recomputed whenever any
  input of D changes).

  Every realtime row carries the `input_fingerprint` of its service date (int_rt__service_date_inputs:
  how many lake batches hold rows of D, and which static feed is version(D)). A service date is rebuilt
  when the incremental model holds no row of D with the current fingerprint: new or late realtime files,
  a new static feed that changes version(D), and a date held back until its feed arrives (rule 3.3.3) all
  change it. Because the comparison is against the model's own rows, a failed run simply retries next
  time. On top, the last `rt_lookback_days` service dates already built are always recomputed.

  A backfill (a Dagster partition range, or `dbt build --vars '{service_date_start: 20230508,
  service_date_end: 20230509}'`) rebuilds exactly the service dates of that range, changed or not, and
  leaves every other date as it is.

  Models use it as `where ... {{ rt_service_dates_to_rebuild('rows') }}` with delete+insert on
  service_date, so the rebuilt dates replace their old rows whole; `rt_remove_stale_service_dates` (a
  post-hook) then removes the rows of a rebuilt date that now produces none.
-#}
{% macro rt_service_dates_to_rebuild(alias) -%}
    {#- `this` is None inside dbt unit tests, which always exercise the full-refresh logic -#}
    {%- if this is not none and is_incremental() -%}
        {%- set backfill = rt_backfill_range() -%}
        {%- if backfill -%}
            and {{ alias }}.service_date between {{ backfill[0] }} and {{ backfill[1] }}
        {%- else -%}
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
    {%- endif -%}
{%- endmacro %}


{#-
  The backfill range [service_date_start, service_date_end] (YYYYMMDD integers) from the dbt vars, or
  none when the build is not a backfill. Checked, because the values are pasted into SQL.
-#}
{% macro rt_backfill_range() -%}
    {%- set start = var('service_date_start', none) -%}
    {%- set end = var('service_date_end', start) -%}
    {%- if start is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for value in [start, end] -%}
        {%- if not (value | string).isdigit() or (value | string | length) != 8 -%}
            {{ exceptions.raise_compiler_error(
                "service_date_start / service_date_end must be YYYYMMDD integers, got " ~ value
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return([start | int, end | int]) }}
{%- endmacro %}


{#-
  Post-hook of the incremental realtime models. delete+insert replaces the dates that produced rows; a
  date that was rebuilt because its inputs changed but now produces no row at all (e.g. a new static
  version under which none of its trips is a rail trip) would otherwise keep its old rows, and the
  incremental result would differ from a full refresh. Such rows are the only ones left whose
  input_fingerprint is not the date's current one. In a backfill only the range's dates were rebuilt,
  so only they are cleaned; the others are rebuilt (and cleaned) by the next ordinary run.
-#}
{% macro rt_remove_stale_service_dates() -%}
    {%- if this is not none and is_incremental() -%}
        {%- set backfill = rt_backfill_range() %}
    delete from {{ this }} as stale
    where
        not exists (
            select 1
            from {{ ref('int_rt__service_date_inputs') }} as inputs
            where
                inputs.service_date = stale.service_date
                and inputs.input_fingerprint = stale.input_fingerprint
        )
        {%- if backfill %}
        and stale.service_date between {{ backfill[0] }} and {{ backfill[1] }}
        {%- endif %}
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
