{#-
    A timestamp that holds UTC wall-clock time without a zone (how HubSpot's ISO strings cast:
    DuckDB TIMESTAMP) as an instant the time-zone macros accept (DuckDB TIMESTAMP WITH TIME
    ZONE; BigQuery's TIMESTAMP already is one). Do not pass a zoned timestamp on DuckDB.
-#}
{% macro utc_instant(ts) -%}
    {{ return(adapter.dispatch('utc_instant')(ts)) }}
{%- endmacro %}

{% macro default__utc_instant(ts) -%}
    ({{ ts }} at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__utc_instant(ts) -%}
    timezone('UTC', cast({{ ts }} as timestamp))
{%- endmacro %}

{% macro bigquery__utc_instant(ts) -%}
    cast({{ ts }} as timestamp)
{%- endmacro %}
