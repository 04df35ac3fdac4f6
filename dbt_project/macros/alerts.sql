{#-
  Nested alert fields. DuckDB stores them natively (lists of structs) and Postgres as jsonb
  (extract/warehouse/raw_tables.py); these macros are the only SQL that knows the difference.
-#}

{#-
  The text of a TranslatedString (list of {text, language}) in `language`, else its first translation's
  text; NULL for a NULL or empty list.
-#}
{% macro translated_text(list_expr, language='en') -%}
    {{ return(adapter.dispatch('translated_text')(list_expr, language)) }}
{%- endmacro %}

{% macro default__translated_text(list_expr, language) -%}
    coalesce(
        list_filter({{ list_expr }}, lambda translation: translation.language = '{{ language }}')[1].text,
        {{ list_expr }}[1].text
    )
{%- endmacro %}

{% macro postgres__translated_text(list_expr, language) -%}
    coalesce(
        jsonb_path_query_first({{ list_expr }}, '$[*] ? (@.language == "{{ language }}").text') #>> '{}',
        {{ list_expr }} -> 0 ->> 'text'
    )
{%- endmacro %}


{#-
  One row per element of a nested list column: the relation's `key_columns`, the element's 0-based
  position as `<prefix>_index`, and each of `fields` (name → SQL type; the type `text_list` joins a list
  of strings with '|') as `<prefix>_<name>`. Rows whose list is NULL or empty produce nothing.
-#}
{% macro explode_struct_list(relation, key_columns, list_column, fields, prefix) -%}
    {{ return(adapter.dispatch('explode_struct_list')(relation, key_columns, list_column, fields, prefix)) }}
{%- endmacro %}

{% macro default__explode_struct_list(relation, key_columns, list_column, fields, prefix) -%}
    select
        {%- for column in key_columns %}
            {{ column }},
        {%- endfor %}
        cast(element_position - 1 as integer) as {{ prefix }}_index
        {%- for name, type in fields.items() %},
            {%- if type == 'text_list' %}
                array_to_string(struct_extract(element, '{{ name }}'), '|') as {{ prefix }}_{{ name }}
            {%- else %}
                cast(struct_extract(element, '{{ name }}') as {{ type }}) as {{ prefix }}_{{ name }}
            {%- endif %}
        {%- endfor %}
    from (
        select
            {%- for column in key_columns %}
                {{ column }},
            {%- endfor %}
            unnest({{ list_column }}) as element,
            unnest(range(1, len({{ list_column }}) + 1)) as element_position
        from {{ relation }}
    ) as elements
{%- endmacro %}

{% macro postgres__explode_struct_list(relation, key_columns, list_column, fields, prefix) -%}
    select
        {%- for column in key_columns %}
            source_rows.{{ column }},
        {%- endfor %}
        cast(elements.element_position - 1 as integer) as {{ prefix }}_index
        {%- for name, type in fields.items() %},
            {%- if type == 'text_list' %}
                (
                    select string_agg(item.value, '|' order by item.position)
                    from jsonb_array_elements_text(
                        case when jsonb_typeof(elements.element -> '{{ name }}') = 'array'
                            then elements.element -> '{{ name }}' end
                    ) with ordinality as item (value, position)
                ) as {{ prefix }}_{{ name }}
            {%- else %}
                cast(elements.element ->> '{{ name }}' as {{ type }}) as {{ prefix }}_{{ name }}
            {%- endif %}
        {%- endfor %}
    from {{ relation }} as source_rows
    cross join lateral jsonb_array_elements(
        case when jsonb_typeof(source_rows.{{ list_column }}) = 'array' then source_rows.{{ list_column }} end
    ) with ordinality as elements (element, element_position)
{%- endmacro %}
