{#-
    A source table that may never have been loaded. A person sets up one source at a time, so
    a raw table of a source not loaded yet does not exist: then this is an empty relation with
    the given columns (name -> type: text, bigint, double, bool, date, timestamp for a UTC
    instant, local_timestamp for wall-clock time), and every model downstream builds empty.

    The check asks the warehouse, so it runs only when dbt executes SQL: at parse time, and in
    `dbt compile` (which the offline BigQuery check runs with no warehouse reachable), the
    source is taken as existing.
-#}
{% macro optional_source(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not _source_checkable() -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- if _stored(relation) is not none -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return(empty_relation(columns)) }}
{%- endmacro %}

{#- The warehouse's relation for a source's `relation`, or none when the table does not exist. -#}
{% macro _stored(relation) -%}
    {{ return(adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier)) }}
{%- endmacro %}

{#- The column names of a stored relation, lower-cased. -#}
{% macro _column_names(stored) -%}
    {{ return(adapter.get_columns_in_relation(stored) | map(attribute='name') | map('lower') | list) }}
{%- endmacro %}

{#- Whether this invocation may ask the warehouse which tables exist. -#}
{% macro _source_checkable() -%}
    {{ return(execute and flags.WHICH not in ('compile', 'parse', 'list', 'ls')) }}
{%- endmacro %}

{#- A subquery with `columns` (name -> type) and no rows, valid on every engine. -#}
{% macro empty_relation(columns) -%}
    (select
        {%- for name, kind in columns.items() %}
        cast(null as {{ column_type(kind) }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    limit 0)
{%- endmacro %}

{#- The SQL type of a raw column kind as dlt creates it. -#}
{% macro column_type(kind) -%}
    {{ return(adapter.dispatch('column_type')(kind)) }}
{%- endmacro %}

{% macro default__column_type(kind) -%}
    {%- set types = {
        'text': dbt.type_string(), 'bigint': dbt.type_bigint(), 'double': type_double(),
        'bool': dbt.type_boolean(), 'date': 'date', 'timestamp': 'timestamp with time zone',
        'local_timestamp': 'timestamp'} -%}
    {{ return(types[kind]) }}
{%- endmacro %}

{% macro bigquery__column_type(kind) -%}
    {%- set types = {
        'text': 'string', 'bigint': 'int64', 'double': 'float64', 'bool': 'bool', 'date': 'date',
        'timestamp': 'timestamp', 'local_timestamp': 'datetime'} -%}
    {{ return(types[kind]) }}
{%- endmacro %}
