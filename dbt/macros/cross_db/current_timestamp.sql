{#-
    "Now" in SQL is the moment this dbt invocation started (`run_started_at`, read from the clock
    of the process that runs dbt), not the engine's own clock. One build sees one instant: the
    same clock that dated the as-of date and the build record (pipelines/transform_record.py)
    and dlt's load times, so the freshness checks and the as-of date never compare two clocks.
    It also lets a shifted process clock (the calendar sweep, tests/calendar_sweep.py) reach
    the SQL, which an engine's own clock never would. Overrides dbt's `current_timestamp` for
    both engines (the root project is searched first for dbt's own dispatched macros).
-#}
{% macro duckdb__current_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as timestamp with time zone)
{%- endmacro %}

{% macro bigquery__current_timestamp() -%}
    timestamp('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00')
{%- endmacro %}
