{#- Engagement -> company associations, one row per pair. Both ends live (archived records excluded). -#}
with

associated_records as (

    select * from {{ source('hubspot', 'hubspot__engagement_companies') }}

),

associated_ids as (

    select * from {{ source('hubspot', 'hubspot__engagement_companies__company_ids') }}

),

live_from as (

    select engagement_id from {{ ref('stg_hubspot__engagements') }}

),

live_to as (

    select company_id from {{ ref('stg_hubspot__companies') }}

),

pairs as (

    select distinct
        cast(associated_records.engagement_id as {{ dbt.type_string() }}) as engagement_id,
        cast(associated_ids.value as {{ dbt.type_string() }}) as company_id
    from associated_records
    inner join associated_ids
        on associated_records._dlt_id = associated_ids._dlt_parent_id

),

final as (

    select
        {{ dbt.concat(["pairs.engagement_id", "'|'", "pairs.company_id"]) }} as engagement_companies_key,
        pairs.engagement_id,
        pairs.company_id
    from pairs
    inner join live_from
        on pairs.engagement_id = live_from.engagement_id
    inner join live_to
        on pairs.company_id = live_to.company_id

)

select * from final
