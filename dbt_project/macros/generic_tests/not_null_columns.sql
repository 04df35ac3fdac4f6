{#-
  None of `columns` is NULL, checked in one pass over the model. Use it instead of one `not_null` per
  column on a view over tens of millions of rows: each test is a query, and on a view each query
  re-runs the view's joins (on Postgres, seven flag tests on int_rt__trip_updates took a minute each
  over a simulated service day). A failing row shows which of its columns are NULL.
-#}
{% test not_null_columns(model, columns) -%}
    select
        {%- for column in columns %}
        {{ column }} is null as {{ column }}_is_null,
        {%- endfor %}
        1 as failing_row
    from {{ model }}
    where
        {%- for column in columns %}
        {{ column }} is null{{ ' or' if not loop.last }}
        {%- endfor %}
{%- endtest %}
