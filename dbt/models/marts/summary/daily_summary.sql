{#-
    One row per date in the personal time zone, from the first to the last date any source
    has data for: daily habits done, the night's sleep, the day's activity and the day's
    engagements. The table a person's report reads first.
-#}
with

habit_periods as (

    select * from {{ ref('fct_habit_periods') }}
    where period = 'daily'

),

sleep_nightly as (

    select * from {{ ref('fct_sleep_nightly') }}

),

activity_daily as (

    select * from {{ ref('fct_activity_daily') }}

),

engagements as (

    select * from {{ ref('fct_engagements') }}

),

engagement_contacts as (

    select * from {{ ref('stg_hubspot__engagement_contacts') }}

),

source_dates as (

    select period_start as summary_date from habit_periods
    union all
    select sleep_date as summary_date from sleep_nightly
    union all
    select activity_date as summary_date from activity_daily
    union all
    select occurred_date as summary_date from engagements

),

bounds as (

    -- no data at all: null bounds, and the spine below has no rows
    select
        min(summary_date) as first_date,
        max(summary_date) as last_date
    from source_dates

),

spine as (

    {{ date_spine_rows('bounds', 'first_date', 'last_date') }}

),

daily_habits as (

    select
        period_start as summary_date,
        {{ count_rows() }} as daily_habits_tracked,
        {{ count_where("is_done") }} as daily_habits_done,
        {{ count_where("is_target_met") }} as daily_habits_target_met,
        {{ dbt.listagg("case when is_done then habit_name end", "', '", "order by habit_name") }}
            as habits_done
    from habit_periods
    group by period_start

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

    select
        spine.date_day as summary_date,
        {{ week_start('spine.date_day') }} as week_start,
        {{ month_start('spine.date_day') }} as month_start,
        coalesce(daily_habits.daily_habits_tracked, 0) as daily_habits_tracked,
        coalesce(daily_habits.daily_habits_done, 0) as daily_habits_done,
        coalesce(daily_habits.daily_habits_target_met, 0) as daily_habits_target_met,
        case
            when daily_habits.daily_habits_tracked > 0
                then
                    cast(daily_habits.daily_habits_target_met as {{ type_double() }})
                    / daily_habits.daily_habits_tracked
        end as daily_habit_completion_rate,
        daily_habits.habits_done,
        sleep_nightly.minutes_asleep,
        sleep_nightly.hours_asleep,
        sleep_nightly.efficiency as sleep_efficiency,
        coalesce(sleep_nightly.is_sleep_goal_met, false) as is_sleep_goal_met,
        coalesce(sleep_nightly.nap_minutes_asleep, 0) as nap_minutes_asleep,
        activity_daily.steps,
        activity_daily.distance_km,
        activity_daily.active_minutes,
        activity_daily.calories_total,
        activity_daily.resting_heart_rate,
        coalesce(activity_daily.is_steps_goal_met, false) as is_steps_goal_met,
        coalesce(daily_engagements.engagements, 0) as engagements,
        coalesce(daily_engagements.touches, 0) as touches,
        coalesce(daily_engagements.synchronous_touches, 0) as synchronous_touches,
        coalesce(daily_engagements.asynchronous_touches, 0) as asynchronous_touches,
        coalesce(daily_contacts.contacts_touched, 0) as contacts_touched
    from spine
    left join daily_habits
        on spine.date_day = daily_habits.summary_date
    left join sleep_nightly
        on spine.date_day = sleep_nightly.sleep_date
    left join activity_daily
        on spine.date_day = activity_daily.activity_date
    left join daily_engagements
        on spine.date_day = daily_engagements.summary_date
    left join daily_contacts
        on spine.date_day = daily_contacts.summary_date

)

select * from final
