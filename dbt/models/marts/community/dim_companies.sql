{#- One row per live HubSpot company with its contacts and engagement activity. -#}
with

companies as (

    select * from {{ ref('stg_hubspot__companies') }}

),

contact_companies as (

    select * from {{ ref('stg_hubspot__contact_companies') }}

),

engagements as (

    select * from {{ ref('int_engagements') }}

),

engagement_companies as (

    select * from {{ ref('stg_hubspot__engagement_companies') }}

),

company_contacts as (

    select
        company_id,
        cast(count(distinct contact_id) as {{ dbt.type_bigint() }}) as contact_count
    from contact_companies
    group by company_id

),

company_engagements as (

    select
        engagement_companies.company_id,
        {{ count_rows() }} as engagement_count,
        {{ count_where("engagements.is_touch") }} as touch_count,
        max(engagements.occurred_date) as last_engagement_date
    from engagement_companies
    inner join engagements
        on engagement_companies.engagement_id = engagements.engagement_id
    group by engagement_companies.company_id

),

final as (

    select
        companies.company_id,
        companies.company_name,
        companies.domain,
        companies.industry,
        companies.created_at,
        coalesce(company_contacts.contact_count, 0) as contact_count,
        coalesce(company_engagements.engagement_count, 0) as engagement_count,
        coalesce(company_engagements.touch_count, 0) as touch_count,
        company_engagements.last_engagement_date
    from companies
    left join company_contacts
        on companies.company_id = company_contacts.company_id
    left join company_engagements
        on companies.company_id = company_engagements.company_id

)

select * from final
