{#-
    One row per date with a HubSpot engagement (personal time zone): engagements of any type,
    touches (var touch_engagement_types), synchronous and asynchronous, and the distinct
    contacts touched.
-#}
with

engagements as (

    select * from {{ ref('int_engagements') }}

),

engagement_contacts as (

    select * from {{ ref('stg_hubspot__engagement_contacts') }}

),

daily_engagements as (

    select
        occurred_date as summary_date,
        {{ count_rows() }} as engagements,
        {{ count_where("is_touch") }} as touches,
        {{ count_where("touch_mode = 'synchronous'") }}
            as synchronous_touches,
        {{ count_where("touch_mode = 'asynchronous'") }}
            as asynchronous_touches
    from engagements
    group by occurred_date

),

daily_contacts as (

    select
        engagements.occurred_date as summary_date,
        cast(count(distinct engagement_contacts.contact_id) as {{ dbt.type_bigint() }}) as contacts_touched
    from engagements
    inner join engagement_contacts
        on engagements.engagement_id = engagement_contacts.engagement_id
    where engagements.is_touch
    group by engagements.occurred_date

),

final as (

    -- every date with a touch has an engagement
    select
        daily_engagements.summary_date,
        daily_engagements.engagements,
        daily_engagements.touches,
        daily_engagements.synchronous_touches,
        daily_engagements.asynchronous_touches,
        coalesce(daily_contacts.contacts_touched, 0) as contacts_touched
    from daily_engagements
    left join daily_contacts
        on daily_engagements.summary_date = daily_contacts.summary_date

)

select * from final
