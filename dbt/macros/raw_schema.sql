{#- The dataset dlt loads into: raw_data in prod, <target>_raw_data elsewhere (PRP_RAW_DATASET overrides). -#}
{% macro raw_schema() -%}
    {{ env_var('PRP_RAW_DATASET', 'raw_data' if target.name == 'prod' else target.name ~ '_raw_data') }}
{%- endmacro %}
