{#- One row per exercise session, dated by its local start (its own UTC offset). -#}
with

source as (

    select * from {{ optional_source('fitbit', 'fitbit__exercise', {
        'exercise_id': 'text', 'exercise_type': 'text', 'display_name': 'text',
        'start_time': 'timestamp', 'end_time': 'timestamp',
        'start_time_local': 'local_timestamp', 'exercise_date': 'date',
        'duration_seconds': 'bigint', 'active_duration_seconds': 'bigint',
        'calories_kcal': 'double', 'distance_mm': 'double', 'average_heart_rate_bpm': 'bigint',
        'active_zone_minutes': 'bigint', 'light_zone_seconds': 'bigint',
        'moderate_zone_seconds': 'bigint', 'vigorous_zone_seconds': 'bigint',
        'peak_zone_seconds': 'bigint', 'steps': 'bigint', 'update_time': 'timestamp',
        'deleted': 'bool'}) }}

),

live as (

    select *
    from source
    where not coalesce(deleted, false)

),

final as (

    select
        exercise_id,
        exercise_type,
        display_name,
        start_time as start_at,
        end_time as end_at,
        coalesce(
            start_time_local, {{ to_local_timestamp('start_time', var('timezone')) }}
        ) as start_at_local,
        coalesce(exercise_date, {{ local_date('start_time', var('timezone')) }}) as exercise_date,
        cast(duration_seconds as {{ type_double() }}) / 60 as duration_minutes,
        cast(active_duration_seconds as {{ type_double() }}) / 60 as active_minutes,
        calories_kcal as calories,
        distance_mm / 1000000 as distance_km,
        average_heart_rate_bpm as average_heart_rate,
        active_zone_minutes,
        cast(light_zone_seconds as {{ type_double() }}) / 60 as light_zone_minutes,
        cast(moderate_zone_seconds as {{ type_double() }}) / 60 as moderate_zone_minutes,
        cast(vigorous_zone_seconds as {{ type_double() }}) / 60 as vigorous_zone_minutes,
        cast(peak_zone_seconds as {{ type_double() }}) / 60 as peak_zone_minutes,
        steps,
        update_time as updated_at
    from live

)

select * from final
