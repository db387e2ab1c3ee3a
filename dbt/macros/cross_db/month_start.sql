{#- The first day of the month containing a date, as a date on every engine. -#}
{% macro month_start(date_expr) -%}
    {{ return(adapter.dispatch('month_start')(date_expr)) }}
{%- endmacro %}

{% macro default__month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', 'cast(' ~ date_expr ~ ' as date)') }} as date)
{%- endmacro %}
