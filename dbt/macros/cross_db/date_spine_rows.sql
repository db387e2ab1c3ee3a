{#-
    Rows date_day, one per day from start_col to end_col (both inclusive) of every row of
    `bounds` (a CTE or relation). dbt.date_spine is not used: it queries the warehouse at
    compile time, which an offline compile cannot do.
-#}
{% macro date_spine_rows(bounds, start_col, end_col) -%}
    {{ return(adapter.dispatch('date_spine_rows')(bounds, start_col, end_col)) }}
{%- endmacro %}

{% macro duckdb__date_spine_rows(bounds, start_col, end_col) -%}
    select cast(spine.day_ts as date) as date_day
    from {{ bounds }},
        unnest(generate_series(
            cast({{ bounds }}.{{ start_col }} as timestamp),
            cast({{ bounds }}.{{ end_col }} as timestamp),
            interval 1 day
        )) as spine (day_ts)
{%- endmacro %}

{% macro bigquery__date_spine_rows(bounds, start_col, end_col) -%}
    select date_day
    from {{ bounds }}
    cross join unnest(generate_date_array(
        cast({{ bounds }}.{{ start_col }} as date),
        cast({{ bounds }}.{{ end_col }} as date)
    )) as date_day
{%- endmacro %}
