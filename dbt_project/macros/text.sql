{#-
  Casting helpers for the static staging models (rule 3.1). Raw static columns are typed by the
  extractor (extract/static_gtfs/columns.py), but an agency column it does not know arrives as text and a
  table created before any feed landed has the standard types: these helpers accept either.
-#}

{#- Text with surrounding blanks removed; an empty string becomes NULL (rule 3.1). -#}
{% macro clean_text(expr) -%}
    nullif(trim(cast({{ expr }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- A whole number stored as text or number → integer (NULL when empty). -#}
{% macro to_integer(expr) -%}
    cast({{ clean_text(expr) }} as integer)
{%- endmacro %}

{#- A GTFS date "YYYYMMDD" (or a date value) → integer YYYYMMDD (NULL when empty). -#}
{% macro gtfs_date_to_integer(expr) -%}
    cast(replace({{ clean_text(expr) }}, '-', '') as integer)
{%- endmacro %}

{#- A GTFS 0/1 flag (text or number) → boolean; anything else NULL. -#}
{% macro flag_to_boolean(expr) -%}
    case {{ clean_text(expr) }} when '1' then true when '0' then false end
{%- endmacro %}
