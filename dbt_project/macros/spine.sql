{#-
  A query of the integers 0 … 9999 as `day_offset`: enough days to enumerate any feed's or calendar's
  validity range (27 years), built from cross-joined digits so it needs no generate_series (which
  differs between DuckDB and Postgres) and no recursive CTE.
-#}
{% macro day_offsets() -%}
    select units.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as day_offset
    from {{ digits() }} as units
    cross join {{ digits() }} as tens
    cross join {{ digits() }} as hundreds
    cross join {{ digits() }} as thousands
{%- endmacro %}

{% macro digits() -%}
    (
        select 0 as digit union all select 1 union all select 2 union all select 3 union all select 4
        union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
    )
{%- endmacro %}
