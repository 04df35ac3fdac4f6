{#-
  The first ISO-8601 timestamp with a UTC offset inside a text, as text (NULL when there is none), e.g.
  'Spring 2023, 2023-04-24T21:42:57+00:00, version D' → '2023-04-24T21:42:57+00:00' (rule 3.2).
  Accepted: date, 'T' or a blank, hh:mm[:ss[.fff]], then Z, ±hh, ±hhmm or ±hh:mm.
-#}
{% macro first_iso_timestamp_with_offset(text_expr) -%}
    {{ return(adapter.dispatch('first_iso_timestamp_with_offset')(text_expr)) }}
{%- endmacro %}

{% macro default__first_iso_timestamp_with_offset(text_expr) -%}
    {#- DuckDB: regexp_extract gives '' when nothing matches -#}
    nullif(regexp_extract({{ text_expr }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)'), '')
{%- endmacro %}

{% macro postgres__first_iso_timestamp_with_offset(text_expr) -%}
    {#- substring(... from pattern) returns the whole match, as the pattern has no capturing group -#}
    substring({{ text_expr }} from '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)')
{%- endmacro %}

{#- An ISO-8601 timestamp with offset (text) → its local date in the zone tz_expr, integer YYYYMMDD. -#}
{% macro iso_timestamp_to_local_yyyymmdd(timestamp_text_expr, tz_expr) -%}
    {{ date_to_yyyymmdd(
        '(' ~ dbt.safe_cast(timestamp_text_expr, 'timestamp with time zone') ~ ' at time zone ' ~ tz_expr ~ ')'
    ) }}
{%- endmacro %}
