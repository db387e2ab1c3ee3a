{#-
    Source freshness from dlt's own load log: when dlt last finished loading `dlt_schema`
    (the dlt source name, e.g. 'notion') into the dataset of `relation` (pass `this` from a
    source's loaded_at_query). Plain SQL on every engine: _dlt_loads.inserted_at is a
    timestamp everywhere and status 0 marks a completed load. It tells whether the pipeline
    runs, even when a run found nothing new to write to a table. A source never loaded at all
    (a person sets up one source at a time) has nothing to be stale: it counts as fresh, while
    a source whose loads all failed has no completed load and is stale.
-#}
{% macro dlt_loaded_at(relation, dlt_schema) -%}
    {%- set loads = api.Relation.create(
        database=relation.database, schema=relation.schema, identifier='_dlt_loads') -%}
    select coalesce(
        max(case when status = 0 then inserted_at end),
        case when count(*) = 0 then {{ dbt.current_timestamp() }} end
    )
    from {{ loads }} where schema_name = '{{ dlt_schema }}'
{%- endmacro %}
