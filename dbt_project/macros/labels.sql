{#-
  A list of labels (VARCHAR[] on DuckDB, text[] on Postgres) → text, the representation of rule 5.4:
  the labels in feed order joined with '|', a NULL label written `None`, an empty list → '' and a NULL
  list → NULL. Example: ['3633', NULL, '3648'] → '3633|None|3648'.
-#}
{% macro labels_to_text(list_expr) -%}
    {{ return(adapter.dispatch('labels_to_text')(list_expr)) }}
{%- endmacro %}

{% macro default__labels_to_text(list_expr) -%}
    array_to_string(list_transform({{ list_expr }}, lambda label: coalesce(label, 'None')), '|')
{%- endmacro %}

{% macro postgres__labels_to_text(list_expr) -%}
    {#- the third argument of array_to_string is what a NULL element is written as -#}
    array_to_string({{ list_expr }}, '|', 'None')
{%- endmacro %}
