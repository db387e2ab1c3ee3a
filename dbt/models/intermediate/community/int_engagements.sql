{#-
    One row per live HubSpot engagement with its contacts and company, dated in the personal
    time zone, and flagged as a touch (synchronous or not) per the engagement-type vars.
-#}
with

engagements as (

    select * from {{ ref('stg_hubspot__engagements') }}

),

engagement_contacts as (

    select * from {{ ref('stg_hubspot__engagement_contacts') }}

),

engagement_companies as (

    select * from {{ ref('stg_hubspot__engagement_companies') }}

),

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

companies as (

    select * from {{ ref('stg_hubspot__companies') }}

),

contact_lists as (

    select
        engagement_contacts.engagement_id,
        {{ count_rows() }} as contact_count,
        {{ dbt.listagg('engagement_contacts.contact_id', "', '", 'order by engagement_contacts.contact_id') }}
            as contact_ids,
        {{ dbt.listagg("coalesce(contacts.full_name, contacts.email, engagement_contacts.contact_id)", "', '",
                       'order by engagement_contacts.contact_id') }}
            as contact_names
    from engagement_contacts
    inner join contacts
        on engagement_contacts.contact_id = contacts.contact_id
    group by engagement_contacts.engagement_id

),

engagement_company as (

    -- an engagement is normally logged against one company; with several, the lowest id
    select
        engagement_id,
        min(company_id) as company_id,
        {{ count_rows() }} as company_count
    from engagement_companies
    group by engagement_id

),

dated as (

    select
        *,
        coalesce(occurred_at, created_at) as occurred_at_utc
    from engagements

),

final as (

    select
        dated.engagement_id,
        dated.engagement_type,
        dated.occurred_at_utc as occurred_at,
        {{ local_date(utc_instant('dated.occurred_at_utc'), var('timezone')) }} as occurred_date,
        {{ is_touch('dated.engagement_type') }} as is_touch,
        case
            when not {{ is_touch('dated.engagement_type') }} then null
            when {{ is_synchronous_touch('dated.engagement_type') }} then 'synchronous'
            else 'asynchronous'
        end as touch_mode,
        dated.title,
        dated.body_preview,
        dated.direction,
        dated.outcome,
        coalesce(contact_lists.contact_count, 0) as contact_count,
        contact_lists.contact_ids,
        contact_lists.contact_names,
        engagement_company.company_id,
        companies.company_name,
        coalesce(engagement_company.company_count, 0) as company_count,
        dated.created_at,
        dated.updated_at
    from dated
    left join contact_lists
        on dated.engagement_id = contact_lists.engagement_id
    left join engagement_company
        on dated.engagement_id = engagement_company.engagement_id
    left join companies
        on engagement_company.company_id = companies.company_id

)

select * from final
