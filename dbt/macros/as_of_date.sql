{#-
    The "today" relationship health is measured against: var('as_of_date') (YYYY-MM-DD) when
    set, so a report can be reproduced, else the current date in the personal time zone.
-#}
{% macro as_of_date() -%}
    {%- set pinned = var('as_of_date', none) -%}
    {%- if pinned is not none and pinned | string | trim != '' -%}
        cast('{{ pinned }}' as date)
    {%- else -%}
        {{ local_date(dbt.current_timestamp(), var('timezone')) }}
    {%- endif -%}
{%- endmacro %}
