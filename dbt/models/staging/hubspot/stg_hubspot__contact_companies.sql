{#- Contact -> company associations, one row per pair. Both ends live (archived records excluded). -#}
with

associated_records as (

    select * from {{ source('hubspot', 'hubspot__contact_companies') }}

),

associated_ids as (

    select * from {{ source('hubspot', 'hubspot__contact_companies__company_ids') }}

),

live_from as (

    select contact_id from {{ ref('stg_hubspot__contacts') }}

),

live_to as (

    select company_id from {{ ref('stg_hubspot__companies') }}

),

pairs as (

    select distinct
        cast(associated_records.contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(associated_ids.value as {{ dbt.type_string() }}) as company_id
    from associated_records
    inner join associated_ids
        on associated_records._dlt_id = associated_ids._dlt_parent_id

),

final as (

    select
        {{ dbt.concat(["pairs.contact_id", "'|'", "pairs.company_id"]) }} as contact_companies_key,
        pairs.contact_id,
        pairs.company_id
    from pairs
    inner join live_from
        on pairs.contact_id = live_from.contact_id
    inner join live_to
        on pairs.company_id = live_to.company_id

)

select * from final
