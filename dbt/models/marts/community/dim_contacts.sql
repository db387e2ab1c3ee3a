{#-
    One row per live HubSpot contact with relationship health: the contact, their company,
    their touches (int_contact_touch_summary) and whether they are overdue against their
    cadence (int_contact_cadence).
-#}
with

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

contact_companies as (

    select * from {{ ref('stg_hubspot__contact_companies') }}

),

companies as (

    select * from {{ ref('stg_hubspot__companies') }}

),

touch_summary as (

    select * from {{ ref('int_contact_touch_summary') }}

),

cadence as (

    select * from {{ ref('int_contact_cadence') }}

),

primary_company as (

    -- a contact at several companies shows the lowest company id
    select
        contact_id,
        min(company_id) as company_id,
        {{ count_rows() }} as company_count
    from contact_companies
    group by contact_id

),

final as (

    select
        contacts.contact_id,
        contacts.email,
        contacts.first_name,
        contacts.last_name,
        contacts.full_name,
        primary_company.company_id,
        companies.company_name,
        coalesce(primary_company.company_count, 0) as company_count,
        contacts.created_at,
        touch_summary.first_touch_at,
        touch_summary.last_touch_at,
        touch_summary.last_touch_date,
        touch_summary.last_touch_type,
        touch_summary.last_synchronous_touch_date,
        coalesce(touch_summary.touches_total, 0) as touches_total,
        coalesce(touch_summary.touches_last_30_days, 0) as touches_last_30_days,
        coalesce(touch_summary.touches_last_90_days, 0) as touches_last_90_days,
        coalesce(touch_summary.touches_last_365_days, 0) as touches_last_365_days,
        coalesce(touch_summary.synchronous_touches, 0) as synchronous_touches,
        coalesce(touch_summary.asynchronous_touches, 0) as asynchronous_touches,
        coalesce(touch_summary.synchronous_touches_last_365_days, 0) as synchronous_touches_last_365_days,
        coalesce(touch_summary.asynchronous_touches_last_365_days, 0) as asynchronous_touches_last_365_days,
        cadence.days_since_last_touch,
        cadence.cadence_days,
        cadence.cadence_source,
        cadence.next_touch_due_date,
        cadence.is_overdue,
        cadence.days_overdue,
        cadence.as_of_date
    from contacts
    left join primary_company
        on contacts.contact_id = primary_company.contact_id
    left join companies
        on primary_company.company_id = companies.company_id
    left join touch_summary
        on contacts.contact_id = touch_summary.contact_id
    left join cadence
        on contacts.contact_id = cadence.contact_id

)

select * from final
