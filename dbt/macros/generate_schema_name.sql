{#- Every model lands in the target's analytics dataset; layers are told apart by prefix. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ target.schema }}
{%- endmacro %}
