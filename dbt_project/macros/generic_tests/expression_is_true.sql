{#-
  Every row satisfies `expression` (a SQL boolean over the model's columns); rows where it is false or
  NULL fail. `where_clause` (or the standard `config: where:`) limits the rows checked. It may be
  attached to a column (the column is then just where the test is listed).
-#}
{% test expression_is_true(model, expression, where_clause=none, column_name=none) -%}
    select *
    from {{ model }}
    where
        not coalesce({{ expression }}, false)
        {%- if where_clause %}
            and ({{ where_clause }})
        {%- endif %}
{%- endtest %}
