{#-
    One row per workout (exercise session): its type, local date and week, duration,
    calories, distance, average heart rate and heart-rate zones.
-#}
with

exercises as (

    select * from {{ ref('stg_fitbit__exercises') }}

),

final as (

    select
        exercise_id as workout_id,
        exercise_date as workout_date,
        {{ week_start('exercise_date') }} as week_start,
        exercise_type,
        display_name,
        start_at,
        end_at,
        start_at_local,
        duration_minutes,
        active_minutes,
        calories,
        distance_km,
        average_heart_rate,
        active_zone_minutes,
        light_zone_minutes,
        moderate_zone_minutes,
        vigorous_zone_minutes,
        peak_zone_minutes,
        steps
    from exercises

)

select * from final{{ lookback_filter('workout_date') }}
