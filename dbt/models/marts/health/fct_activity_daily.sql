{#-
    One row per personal-time-zone date with activity or a resting heart rate: steps,
    distance, floors, active minutes, calories, resting heart rate, minutes in each heart-rate
    zone, active zone minutes and whether the day reached var('steps_goal').
-#}
with

activity as (

    select * from {{ ref('stg_fitbit__activity_daily') }}

),

resting_heart_rate as (

    select * from {{ ref('stg_fitbit__resting_heart_rate') }}

),

heart_rate_zones as (

    select * from {{ ref('stg_fitbit__heart_rate_zones') }}

),

days as (

    select activity_date from activity
    union distinct
    select measured_date as activity_date from resting_heart_rate
    union distinct
    select zone_date as activity_date from heart_rate_zones

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
        heart_rate_zones.light_zone_minutes,
        heart_rate_zones.moderate_zone_minutes,
        heart_rate_zones.vigorous_zone_minutes,
        heart_rate_zones.peak_zone_minutes,
        heart_rate_zones.active_zone_minutes,
        cast({{ var('steps_goal') | int }} as {{ dbt.type_bigint() }}) as steps_goal,
        coalesce(activity.steps >= {{ var('steps_goal') | int }}, false) as is_steps_goal_met
    from days
    left join activity
        on days.activity_date = activity.activity_date
    left join resting_heart_rate
        on days.activity_date = resting_heart_rate.measured_date
    left join heart_rate_zones
        on days.activity_date = heart_rate_zones.zone_date

)

select * from final{{ lookback_filter('activity_date') }}
