{#-
    HubSpot associations from one object to another, one row per pair, both ends live.
    dlt loads each association table as one row per pair (a record with none has one row
    without a to-id); archived records on either end drop out through the staging models of
    the two objects.
-#}
{% macro hubspot_association_pairs(from_object, to_object) %}
{%- set plural = {'contact': 'contacts', 'company': 'companies', 'engagement': 'engagements'} -%}
{%- set from_id = from_object ~ '_id' -%}
{%- set to_id = to_object ~ '_id' -%}
{%- set table = 'hubspot__' ~ from_object ~ '_' ~ plural[to_object] -%}
with

associated as (

    select * from {{ optional_source('hubspot', table, {from_id: 'text', to_id: 'text'}) }}

),

live_from as (

    select {{ from_id }} from {{ ref('stg_hubspot__' ~ plural[from_object]) }}

),

live_to as (

    select {{ to_id }} from {{ ref('stg_hubspot__' ~ plural[to_object]) }}

),

pairs as (

    select distinct
        cast(associated.{{ from_id }} as {{ dbt.type_string() }}) as {{ from_id }},
        cast(associated.{{ to_id }} as {{ dbt.type_string() }}) as {{ to_id }}
    from associated
    where associated.{{ to_id }} is not null

),

final as (

    select
        {{ dbt.concat(["pairs." ~ from_id, "'|'", "pairs." ~ to_id]) }}
            as {{ from_object }}_{{ plural[to_object] }}_key,
        pairs.{{ from_id }},
        pairs.{{ to_id }}
    from pairs
    inner join live_from
        on pairs.{{ from_id }} = live_from.{{ from_id }}
    inner join live_to
        on pairs.{{ to_id }} = live_to.{{ to_id }}

)

select * from final
{% endmacro %}
