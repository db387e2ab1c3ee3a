{#- SQL literal for an optional numeric var (null when the var is unset or none). -#}
{% macro numeric_var_or_null(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none or value == '' -%}
        cast(null as {{ type_double() }})
    {%- else -%}
        cast({{ value | float }} as {{ type_double() }})
    {%- endif -%}
{%- endmacro %}
