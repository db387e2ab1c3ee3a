{#-
    The first day of the week containing a date, weeks starting on var('week_start')
    (1 = Monday ... 7 = Sunday; default Monday, ISO). dbt.date_trunc('week', ...) is not used
    on purpose: it starts weeks on Monday on DuckDB but on Sunday on BigQuery.
-#}
{% macro week_start(date_expr) -%}
    {{ return(adapter.dispatch('week_start')(date_expr)) }}
{%- endmacro %}

{% macro _week_start_day() -%}
    {%- set day = var('week_start', 1) | int -%}
    {%- if day < 1 or day > 7 -%}
        {{ exceptions.raise_compiler_error("var('week_start') must be 1 (Monday) to 7 (Sunday), got " ~ day) }}
    {%- endif -%}
    {{ return(day) }}
{%- endmacro %}

{% macro default__week_start(date_expr) -%}
    {#- isodow: 1 = Monday ... 7 = Sunday -#}
    cast({{ dbt.dateadd('day', '-1 * mod(cast(extract(isodow from cast(' ~ date_expr ~ ' as date)) as integer) - ' ~ _week_start_day() ~ ' + 7, 7)', 'cast(' ~ date_expr ~ ' as date)') }} as date)
{%- endmacro %}

{% macro duckdb__week_start(date_expr) -%}
    cast(cast({{ date_expr }} as date) - cast(((isodow(cast({{ date_expr }} as date)) - {{ _week_start_day() }} + 7) % 7) as integer) as date)
{%- endmacro %}

{% macro bigquery__week_start(date_expr) -%}
    {#- BigQuery's dayofweek is 1 = Sunday ... 7 = Saturday; mod(dayofweek + 5, 7) + 1 is ISO -#}
    date_sub(
        cast({{ date_expr }} as date),
        interval mod(mod(extract(dayofweek from cast({{ date_expr }} as date)) + 5, 7) + 1 - {{ _week_start_day() }} + 7, 7) day
    )
{%- endmacro %}
