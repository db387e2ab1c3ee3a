{#- One row per local day with any activity value; NULL means the device recorded nothing. -#}
with

activity as (

    select * from {{ optional_source('fitbit', 'fitbit__activity_daily', {
        'activity_date': 'date', 'steps': 'bigint', 'distance_mm': 'bigint', 'floors': 'bigint',
        'active_minutes_light': 'bigint', 'active_minutes_moderate': 'bigint',
        'active_minutes_vigorous': 'bigint', 'calories_total_kcal': 'double', 'deleted': 'bool'}) }}

),

live as (

    select *
    from activity
    where not coalesce(deleted, false)

),

final as (

    select
        activity_date,
        steps,
        cast(distance_mm as {{ type_double() }}) / 1000 as distance_meters,
        floors,
        active_minutes_moderate + active_minutes_vigorous as active_minutes,
        active_minutes_light,
        active_minutes_moderate,
        active_minutes_vigorous,
        calories_total_kcal as calories_total
    from live

)

select * from final
