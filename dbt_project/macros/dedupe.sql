{#-
  Keep one row of each group of exact repeats: rows equal on every column of `record_columns` (NULLs
  equal) are one record, and the kept row is the first by `order_by` (e.g. the earliest snapshot).
  Used by the realtime staging models, where a vehicle that did not move since the last snapshot is
  reported again identically. Returns a query: the relation's `output_columns` for the kept rows.

  Rows are grouped by a fingerprint of the record rather than by its ~30 columns: sorting 2 million
  wide rows by every column is what made this step slow (several times slower on Postgres).
-#}
{% macro keep_first_of_repeats(relation, record_columns, order_by, output_columns) -%}
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
