{#-
    One row per contact touched on or before the as-of date: first and last touch, the type
    of the last one, and touch counts over all time and in the 30/90/365 days up to the as-of
    date (the as-of date and the days before it), synchronous vs asynchronous.
-#}
with

touches as (

    select * from {{ ref('int_contact_touches') }}

),

touch_counts as (

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

final as (

    select
        touch_counts.contact_id,
        touch_counts.first_touch_at,
        touch_counts.last_touch_at,
        touch_counts.last_touch_date,
        last_touch_type.last_touch_type,
        touch_counts.last_synchronous_touch_date,
        touch_counts.touches_total,
        touch_counts.touches_last_30_days,
        touch_counts.touches_last_90_days,
        touch_counts.touches_last_365_days,
        touch_counts.synchronous_touches,
        touch_counts.asynchronous_touches,
        touch_counts.synchronous_touches_last_365_days,
        touch_counts.asynchronous_touches_last_365_days
    from touch_counts
    inner join last_touch_type
        on touch_counts.contact_id = last_touch_type.contact_id

)

select * from final
