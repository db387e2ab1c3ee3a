{#-
    One row per live HubSpot contact: the cadence they should be touched at (the contact's
    contact_cadence_days when above zero, else var('contact_cadence_days')), the date the next
    touch is due (from the last touch, else from the contact's creation date) and how overdue
    it is on the as-of date.
-#}
with

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

touch_summary as (

    select * from {{ ref('int_contact_touch_summary') }}

),

as_of as (

    select {{ as_of_date() }} as as_of_date

),

with_cadence as (

    select
        contacts.contact_id,
        {{ local_date(utc_instant('contacts.created_at'), var('timezone')) }}
            as created_date,
        touch_summary.last_touch_date,
        cast(
            coalesce(
                case when contacts.contact_cadence_days > 0 then contacts.contact_cadence_days end,
                {{ var('contact_cadence_days') | int }}
            ) as {{ dbt.type_bigint() }}
        ) as cadence_days,
        case when contacts.contact_cadence_days > 0 then 'contact' else 'default' end as cadence_source,
        as_of.as_of_date
    from contacts
    left join touch_summary
        on contacts.contact_id = touch_summary.contact_id
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
