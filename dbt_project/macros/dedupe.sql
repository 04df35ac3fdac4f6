{#-
  Keep one row of each group of exact repeats: rows equal on every column of `record_columns` (NULLs
  equal) are one record, and the kept row is the first by `order_by` (e.g. the earliest snapshot; its
  columns must be non-NULL and together unique). Used by the realtime staging models, where a vehicle
  that did not move since the last snapshot is reported again identically. Returns a query: the
  relation's `output_columns` for the kept rows.

  Dispatched, because the fastest correct plan differs by engine (measured on a simulated day of 26
  million trip-update rows, benchmarks/warehouse_build.py):
  - default (Postgres): number the rows of each record, grouped by a fingerprint of the record rather
    than by its ~30 columns: sorting millions of wide rows by every column was several times slower.
  - DuckDB: one hash aggregate grouped by the record's columns, keeping the first row's other columns
    as the minimum of a struct that starts with the `order_by` columns (structs compare field by
    field). md5 of the text of 28 columns cost more than the rest of the step together, and the window
    needed ~14 GB without a memory limit against ~1 GB (spilling) for the aggregate, which is also faster.
-#}
{% macro keep_first_of_repeats(relation, record_columns, order_by, output_columns) -%}
    {{ return(adapter.dispatch('keep_first_of_repeats')(relation, record_columns, order_by, output_columns)) }}
{%- endmacro %}


{% macro default__keep_first_of_repeats(relation, record_columns, order_by, output_columns) -%}
    select
        {{ output_columns | join(',\n        ') }}
    from (
        select
            {{ output_columns | join(',\n            ') }},
            row_number() over (
                partition by {{ record_fingerprint(record_columns) }}
                order by {{ order_by }}
            ) as repeat_number
        from {{ relation }}
    ) as numbered
    where repeat_number = 1
{%- endmacro %}


{% macro duckdb__keep_first_of_repeats(relation, record_columns, order_by, output_columns) -%}
    {%- set order_columns = order_by.split(',') | map('trim') | list -%}
    {%- set carried = [] -%}
    {%- for column in order_columns + output_columns -%}
        {%- if column not in record_columns and column not in carried -%}
            {%- do carried.append(column) -%}
        {%- endif -%}
    {%- endfor %}
    select
        {%- for column in output_columns %}
        {{ 'first_row.' ~ column ~ ' as ' ~ column if column in carried else column }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            {{ record_columns | join(',\n            ') }},
            min(struct_pack(
                {%- for column in carried %}
                {{ column }} := {{ column }}{{ ',' if not loop.last }}
                {%- endfor %}
            )) as first_row
        from {{ relation }}
        group by
            {{ record_columns | join(',\n            ') }}
    ) as records
{%- endmacro %}


{#-
  md5 of an injective text encoding of the columns: each value as `<length>:<text>`, NULL as `-`, so
  ('a|b', 'c') and ('a', 'b|c'), or NULL and 'NULL', never encode alike. Two records share a
  fingerprint only if equal (or in an md5 collision, about 1 in 10^38 per pair). Compared in binary
  collation, which is also the fastest to sort.
-#}
{% macro record_fingerprint(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- set as_text = 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')' -%}
        {%- do parts.append(
            "coalesce(cast(length(" ~ as_text ~ ") as " ~ dbt.type_string() ~ ") || ':' || " ~ as_text ~ ", '-')"
        ) -%}
    {%- endfor -%}
    {{ binary_text('md5(' ~ parts | join(" || '|' || ") ~ ')') }}
{%- endmacro %}
