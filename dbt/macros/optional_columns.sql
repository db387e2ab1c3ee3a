{#-
    `optional_source`, and each of `columns` the raw table lacks is added as null of its type.
    A HubSpot objects file can leave an engagement type or a property out, so its columns are
    never created; a staging model that reads them still builds (they are simply empty).

    Like `optional_source`, it asks the warehouse only when dbt executes SQL; at parse and
    compile time the source is taken as it is.
-#}
{% macro optional_columns(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not _source_checkable() -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set found = _stored(relation) -%}
    {%- if found is none -%}
        {{ return(empty_relation(columns)) }}
    {%- endif -%}
    {%- set present = _column_names(found) -%}
    {%- set missing = [] -%}
    {%- for name in columns if name | lower not in present -%}
        {%- do missing.append(name) -%}
    {%- endfor -%}
    {%- if not missing -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set padded -%}
        (select
            *
            {%- for name in missing %},
            cast(null as {{ column_type(columns[name]) }}) as {{ name }}
            {%- endfor %}
        from {{ relation }})
    {%- endset -%}
    {{ return(padded) }}
{%- endmacro %}
