{#-
    One row per live HubSpot contact with relationship health: last touch, touches in the last
    30/90/365 days (the as-of date and the days before it), synchronous vs asynchronous
    touches, days since the last touch and whether the contact is overdue against their
    cadence (the contact's contact_cadence_days, else var('contact_cadence_days')).
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

touches as (

    select * from {{ ref('int_contact_touches') }}

),

as_of as (

    select {{ as_of_date() }} as as_of_date

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

touch_summary as (

    select
        contact_id,
        min(occurred_at) as first_touch_at,
        max(occurred_at) as last_touch_at,
        max(occurred_date) as last_touch_date,
        max(case when touch_mode = 'synchronous' then occurred_date end) as last_synchronous_touch_date,
        {{ count_rows() }} as touches_total,
        {{ count_where("days_ago < 30") }} as touches_last_30_days,
        {{ count_where("days_ago < 90") }} as touches_last_90_days,
        {{ count_where("days_ago < 365") }} as touches_last_365_days,
        {{ count_where("touch_mode = 'synchronous'") }}
            as synchronous_touches,
        {{ count_where("touch_mode = 'asynchronous'") }}
            as asynchronous_touches,
        {{ count_where("touch_mode = 'synchronous' and days_ago < 365") }}
            as synchronous_touches_last_365_days,
        {{ count_where("touch_mode = 'asynchronous' and days_ago < 365") }}
            as asynchronous_touches_last_365_days
    from touches
    group by contact_id

),

ranked_touches as (

    select
        contact_id,
        engagement_type,
        row_number() over (
            partition by contact_id order by occurred_at desc, engagement_id desc
        ) as recency_rank
    from touches

),

last_touch_type as (

    select
        contact_id,
        engagement_type as last_touch_type
    from ranked_touches
    where recency_rank = 1

),

joined as (

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
        {{ local_date(utc_instant('contacts.created_at'), var('timezone')) }}
            as created_date,
        touch_summary.first_touch_at,
        touch_summary.last_touch_at,
        touch_summary.last_touch_date,
        last_touch_type.last_touch_type,
        touch_summary.last_synchronous_touch_date,
        coalesce(touch_summary.touches_total, 0) as touches_total,
        coalesce(touch_summary.touches_last_30_days, 0) as touches_last_30_days,
        coalesce(touch_summary.touches_last_90_days, 0) as touches_last_90_days,
        coalesce(touch_summary.touches_last_365_days, 0) as touches_last_365_days,
        coalesce(touch_summary.synchronous_touches, 0) as synchronous_touches,
        coalesce(touch_summary.asynchronous_touches, 0) as asynchronous_touches,
        coalesce(touch_summary.synchronous_touches_last_365_days, 0) as synchronous_touches_last_365_days,
        coalesce(touch_summary.asynchronous_touches_last_365_days, 0) as asynchronous_touches_last_365_days,
        case
            when contacts.contact_cadence_days > 0 then contacts.contact_cadence_days
        end as contact_cadence_days
    from contacts
    left join primary_company
        on contacts.contact_id = primary_company.contact_id
    left join companies
        on primary_company.company_id = companies.company_id
    left join touch_summary
        on contacts.contact_id = touch_summary.contact_id
    left join last_touch_type
        on contacts.contact_id = last_touch_type.contact_id

),

with_cadence as (

    select
        joined.*,
        cast(
            coalesce(joined.contact_cadence_days, {{ var('contact_cadence_days') | int }})
            as {{ dbt.type_bigint() }}
        ) as cadence_days,
        case when joined.contact_cadence_days is null then 'default' else 'contact' end as cadence_source,
        as_of.as_of_date
    from joined
    cross join as_of

),

with_due_date as (

    -- never touched: the clock starts when the contact was created
    select
        *,
        cast({{ dbt.dateadd('day', 'cadence_days', 'coalesce(last_touch_date, created_date)') }} as date)
            as next_touch_due_date
    from with_cadence

),

final as (

    select
        contact_id,
        email,
        first_name,
        last_name,
        full_name,
        company_id,
        company_name,
        company_count,
        created_at,
        first_touch_at,
        last_touch_at,
        last_touch_date,
        last_touch_type,
        last_synchronous_touch_date,
        touches_total,
        touches_last_30_days,
        touches_last_90_days,
        touches_last_365_days,
        synchronous_touches,
        asynchronous_touches,
        synchronous_touches_last_365_days,
        asynchronous_touches_last_365_days,
        cast({{ dbt.datediff('last_touch_date', 'as_of_date', 'day') }} as {{ dbt.type_bigint() }})  -- noqa: LT05
            as days_since_last_touch,
        cadence_days,
        cadence_source,
        next_touch_due_date,
        coalesce(next_touch_due_date < as_of_date, false) as is_overdue,
        cast(case
            when next_touch_due_date < as_of_date
                then {{ dbt.datediff('next_touch_due_date', 'as_of_date', 'day') }}
            else 0
        end as {{ dbt.type_bigint() }}) as days_overdue,
        as_of_date
    from with_due_date

)

select * from final
