{#-
    One row per contact per engagement that touched them (var touch_engagement_types) on or
    before the as-of date, with how many days before it the touch happened.
-#}
with

engagements as (

    select * from {{ ref('int_engagements') }}

),

engagement_contacts as (

    select * from {{ ref('stg_hubspot__engagement_contacts') }}

),

as_of as (

    select {{ as_of_date() }} as as_of_date

),

touches as (

    select
        engagement_contacts.contact_id,
        engagements.engagement_id,
        engagements.engagement_type,
        engagements.touch_mode,
        engagements.occurred_at,
        engagements.occurred_date,
        {{ dbt.datediff('engagements.occurred_date', 'as_of.as_of_date', 'day') }} as days_ago  -- noqa: LT05
    from engagement_contacts
    inner join engagements
        on engagement_contacts.engagement_id = engagements.engagement_id
    cross join as_of
    where engagements.is_touch

),

final as (

    select
        contact_id,
        engagement_id,
        engagement_type,
        touch_mode,
        occurred_at,
        occurred_date,
        cast(days_ago as {{ dbt.type_bigint() }}) as days_ago
    from touches
    where days_ago >= 0

)

select * from final
