{#-
    One row per date in the personal time zone, from the first to the last date any source
    has data for: daily habits done (int_daily_habits), the night's sleep, the day's activity,
    heart-rate variability and workouts, and the day's engagements (int_daily_engagements). The table a person's report reads first.
-#}
with

daily_habits as (

    select * from {{ ref('int_daily_habits') }}

),

sleep_nightly as (

    select * from {{ ref('fct_sleep_nightly') }}

),

activity_daily as (

    select * from {{ ref('fct_activity_daily') }}

),

daily_engagements as (

    select * from {{ ref('int_daily_engagements') }}

),

health_daily as (

    select * from {{ ref('fct_health_daily') }}

),

daily_workouts as (

    select
        workout_date,
        {{ count_rows() }} as workouts,
        sum(duration_minutes) as workout_minutes
    from {{ ref('fct_workouts') }}
    group by workout_date

),

source_dates as (

    select summary_date from daily_habits
    union all
    select sleep_date as summary_date from sleep_nightly
    union all
    select activity_date as summary_date from activity_daily
    union all
    select summary_date from daily_engagements
    union all
    select health_date as summary_date from health_daily
    union all
    select workout_date as summary_date from daily_workouts

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
        health_daily.hrv_ms,
        coalesce(daily_workouts.workouts, 0) as workouts,
        coalesce(daily_workouts.workout_minutes, 0) as workout_minutes,
        coalesce(daily_engagements.engagements, 0) as engagements,
        coalesce(daily_engagements.touches, 0) as touches,
        coalesce(daily_engagements.synchronous_touches, 0) as synchronous_touches,
        coalesce(daily_engagements.asynchronous_touches, 0) as asynchronous_touches,
        coalesce(daily_engagements.contacts_touched, 0) as contacts_touched
    from spine
    left join daily_habits
        on spine.date_day = daily_habits.summary_date
    left join sleep_nightly
        on spine.date_day = sleep_nightly.sleep_date
    left join activity_daily
        on spine.date_day = activity_daily.activity_date
    left join daily_engagements
        on spine.date_day = daily_engagements.summary_date
    left join health_daily
        on spine.date_day = health_daily.health_date
    left join daily_workouts
        on spine.date_day = daily_workouts.workout_date

)

select * from final
