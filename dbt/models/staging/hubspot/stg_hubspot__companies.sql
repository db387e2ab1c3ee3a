{#- Live (not archived) HubSpot companies, one row per company, typed. -#}
with

companies as (

    select * from {{ optional_source('hubspot', 'hubspot__companies', {
        'id': 'text', 'is_deleted': 'bool', 'name': 'text', 'domain': 'text', 'industry': 'text',
        'createdate': 'text', 'hs_lastmodifieddate': 'text'}) }}

),

live_companies as (

    select *
    from companies
    where not coalesce(is_deleted, false)

),

final as (

    select
        cast(id as {{ dbt.type_string() }}) as company_id,
        nullif(trim(name), '') as company_name,
        nullif(lower(trim(domain)), '') as domain,
        nullif(trim(industry), '') as industry,
        {{ dbt.safe_cast("createdate", dbt.type_timestamp()) }} as created_at,
        {{ dbt.safe_cast("hs_lastmodifieddate", dbt.type_timestamp()) }} as updated_at
    from live_companies

)

select * from final
