{#- Number of rows in the group where `condition` holds, as a bigint on every engine. -#}
{% macro count_where(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- count(*) as a bigint on every engine. -#}
{% macro count_rows() -%}
    cast(count(*) as {{ dbt.type_bigint() }})
{%- endmacro %}
