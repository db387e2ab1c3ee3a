{#- Live (not archived) HubSpot contacts, one row per contact, typed. -#}
with

contacts as (

    select * from {{ optional_source('hubspot', 'hubspot__contacts', {
        'id': 'text', 'is_deleted': 'bool', 'email': 'text', 'firstname': 'text', 'lastname': 'text',
        'createdate': 'text', 'lastmodifieddate': 'text', 'contact_cadence_days': 'text'}) }}

),

live_contacts as (

    select *
    from contacts
    where not coalesce(is_deleted, false)

),

final as (

    select
        cast(id as {{ dbt.type_string() }}) as contact_id,
        nullif(trim(email), '') as email,
        nullif(trim(firstname), '') as first_name,
        nullif(trim(lastname), '') as last_name,
        nullif(
            trim({{ dbt.concat(["coalesce(firstname, '')", "' '", "coalesce(lastname, '')"]) }}),
            ''
        ) as full_name,
        {{ dbt.safe_cast("createdate", dbt.type_timestamp()) }} as created_at,
        {{ dbt.safe_cast("lastmodifieddate", dbt.type_timestamp()) }} as updated_at,
        cast(
            {{ dbt.safe_cast("contact_cadence_days", dbt.type_float()) }} as {{ dbt.type_int() }}
        ) as contact_cadence_days
    from live_contacts

)

select * from final
