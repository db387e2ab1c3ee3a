{#-
    The calendar date of a UTC timestamp in an IANA time zone (`tz` as a string, for example
    var('timezone')), as a DATE on every engine.
-#}
{% macro local_date(ts, tz) -%}
    {{ return(adapter.dispatch('local_date')(ts, tz)) }}
{%- endmacro %}

{% macro default__local_date(ts, tz) -%}
    cast({{ to_local_timestamp(ts, tz) }} as date)
{%- endmacro %}

{% macro bigquery__local_date(ts, tz) -%}
    date({{ ts }}, {{ _quoted_time_zone(tz) }})
{%- endmacro %}
