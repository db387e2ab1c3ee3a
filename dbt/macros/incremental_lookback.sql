{#-
    Incremental marts on BigQuery: a daily build rewrites only a look-back window, not history.

    A model configured (dbt_project.yml) with `materialized: incremental` on BigQuery (a plain
    table on DuckDB, where rebuilding whole is faster), `incremental_strategy: merge`, a
    `unique_key`, a date `partition_by` and `lookback_column` (the date it is partitioned on)
    ends its SQL with `{{ lookback_filter('<column>') }}`. On an incremental run that keeps
    the rows dated from `lookback_start()` on, var('incremental_lookback_days') before the as-of
    date: enough for late data (the Fitbit source re-reads its own look-back window every run).
    The MERGE then (bigquery__get_merge_sql below, at run time):
      - reads only the target's partitions in the window (a constant filter on the partition
        column in its ON clause, which BigQuery prunes on);
      - updates and inserts the window's rows;
      - deletes the window's rows the model no longer produces (a day deleted at the source),
    in one statement, so a failed build leaves the previous table whole. The window is computed
    when the model runs (never at parse time, which partial parsing would freeze), from the same
    as-of date as every mart. `--full-refresh` rebuilds the whole table.
-#}

{% macro lookback_start() -%}
    cast({{ dbt.dateadd('day', -(var('incremental_lookback_days') | int), as_of_date()) }} as date)
{%- endmacro %}

{#-
    ` where <column> >= <window start>` on an incremental run, nothing otherwise. `dbt compile`
    (and the offline BigQuery check, which has no warehouse to ask whether the table exists)
    shows an incremental model in its daily form: the SQL a daily build runs.
-#}
{% macro lookback_filter(column) -%}
    {%- if config.get('materialized') != 'incremental' or not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if flags.WHICH in ('compile', 'parse', 'list', 'ls') or is_incremental() %}
where {{ column }} >= {{ lookback_start() }}
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
    {%- set column = config.get('lookback_column') -%}
    {%- if column is none -%}
        {{ return(dbt.default__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates)) }}
    {%- endif -%}
    {%- set window = "DBT_INTERNAL_DEST." ~ column ~ " >= " ~ lookback_start() -%}
    {%- set predicates = ([] if incremental_predicates is none else [] + incremental_predicates) + [window] -%}
    {{ dbt.default__get_merge_sql(target, source, unique_key, dest_columns, predicates) }}
    when not matched by source and {{ window }} then delete
{%- endmacro %}
