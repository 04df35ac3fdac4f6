{#-
  The combination of `combination_of_columns` is unique across the model's rows (dbt-utils' test of the
  same name, which cannot be installed here). NULLs compare equal, so a key with NULLs is checked too.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) -%}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    select
        {{ columns_csv }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
{%- endtest %}
