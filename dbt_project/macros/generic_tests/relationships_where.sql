{#-
  Like dbt's `relationships`, on several columns at once and restricted to rows matching `from_condition`
  and `to_condition`: every (from_columns) combination with no NULLs must exist as (to_columns) in `to`.
  Example: a trip-update row's (feed_key, route_id) exists in routes of the same feed.
-#}
{% test relationships_where(model, from_columns, to, to_columns, from_condition='1 = 1', to_condition='1 = 1') -%}
    with children as (
        select distinct {{ from_columns | join(', ') }}
        from {{ model }}
        where
            ({{ from_condition }})
            {%- for column in from_columns %}
                and {{ column }} is not null
            {%- endfor %}
    ),

    parents as (
        select distinct
            {%- for column in to_columns %}
                {{ column }} as parent_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ to }}
        where {{ to_condition }}
    )

    select children.*
    from children
    left join parents
        on
        {%- for column in from_columns %}
            {{ 'and ' if not loop.first }}children.{{ column }} = parents.parent_{{ loop.index }}
        {%- endfor %}
    where parents.parent_1 is null
{%- endtest %}
