{#-
    Whether a raw table has a column. A column added to a source later (notion__pages.is_archived)
    reaches a table only with the next load that writes to it; until then a model reads a default
    instead. A table not loaded yet counts as having every column (optional_source stands in
    with all of them), and so does a compile with no warehouse to ask.
-#}
{% macro has_column(relation, column_name) -%}
    {%- if not _source_checkable() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set found = _stored(relation) -%}
    {%- if found is none -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(column_name | lower in _column_names(found)) }}
{%- endmacro %}
