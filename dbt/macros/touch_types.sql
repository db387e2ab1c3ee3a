{#- SQL list literal of a list var, e.g. ('call', 'meeting'). -#}
{% macro sql_string_list(values) -%}
    ({%- for value in values -%}'{{ value }}'{%- if not loop.last -%}, {% endif -%}{%- endfor -%})
{%- endmacro %}

{#- Whether an engagement type counts as touching the contact (var touch_engagement_types). -#}
{% macro is_touch(type_expr) -%}
    ({{ type_expr }} in {{ sql_string_list(var('touch_engagement_types')) }})
{%- endmacro %}

{#- Whether a touch is live, both people at once (var synchronous_engagement_types). -#}
{% macro is_synchronous_touch(type_expr) -%}
    ({{ type_expr }} in {{ sql_string_list(var('synchronous_engagement_types')) }})
{%- endmacro %}
