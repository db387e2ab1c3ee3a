{#-
    A UTC timestamp as the wall-clock time in an IANA time zone, without a zone
    (DuckDB: TIMESTAMP, BigQuery: DATETIME). `tz` is the zone name as a string, for example
    var('timezone'); it is quoted here. `ts` is a SQL expression of a UTC timestamp
    (TIMESTAMP WITH TIME ZONE on DuckDB, TIMESTAMP on BigQuery).
-#}
{% macro to_local_timestamp(ts, tz) -%}
    {{ return(adapter.dispatch('to_local_timestamp')(ts, tz)) }}
{%- endmacro %}

{% macro _quoted_time_zone(tz) -%}
    {%- if tz is none or tz | string | trim == '' or "'" in tz | string -%}
        {{ exceptions.raise_compiler_error("to_local_timestamp/local_date need an IANA time zone name, got " ~ tz) }}
    {%- endif -%}
    '{{ tz }}'
{%- endmacro %}

{% macro default__to_local_timestamp(ts, tz) -%}
    ({{ ts }} at time zone {{ _quoted_time_zone(tz) }})
{%- endmacro %}

{% macro duckdb__to_local_timestamp(ts, tz) -%}
    timezone({{ _quoted_time_zone(tz) }}, {{ ts }})
{%- endmacro %}

{% macro bigquery__to_local_timestamp(ts, tz) -%}
    datetime({{ ts }}, {{ _quoted_time_zone(tz) }})
{%- endmacro %}
