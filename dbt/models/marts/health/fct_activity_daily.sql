{#-
    One row per personal-time-zone date with activity or a resting heart rate: steps,
    distance, floors, active minutes, calories, resting heart rate and whether the day reached
    var('steps_goal').
-#}
with

activity as (

    select * from {{ ref('stg_fitbit__activity_daily') }}

),

resting_heart_rate as (

    select * from {{ ref('stg_fitbit__resting_heart_rate') }}

),

days as (

    select activity_date from activity
    union distinct
    select measured_date as activity_date from resting_heart_rate

),

final as (

    select
        days.activity_date,
        activity.steps,
        activity.distance_meters,
        cast(activity.distance_meters as {{ type_double() }}) / 1000 as distance_km,
        activity.floors,
        activity.active_minutes,
        activity.calories_total,
        resting_heart_rate.resting_heart_rate,
        cast({{ var('steps_goal') | int }} as {{ dbt.type_bigint() }}) as steps_goal,
        coalesce(activity.steps >= {{ var('steps_goal') | int }}, false) as is_steps_goal_met
    from days
    left join activity
        on days.activity_date = activity.activity_date
    left join resting_heart_rate
        on days.activity_date = resting_heart_rate.measured_date

)

select * from final{{ lookback_filter('activity_date') }}
