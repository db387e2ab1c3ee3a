{#- One row per local day with heart-rate zone data: minutes in each zone, active zone minutes. -#}
with

source as (

    select * from {{ optional_source('fitbit', 'fitbit__heart_rate_zones_daily', {
        'zone_date': 'date', 'light_seconds': 'bigint', 'moderate_seconds': 'bigint',
        'vigorous_seconds': 'bigint', 'peak_seconds': 'bigint', 'azm_fat_burn': 'bigint',
        'azm_cardio': 'bigint', 'azm_peak': 'bigint', 'deleted': 'bool'}) }}

),

live as (

    select *
    from source
    where not coalesce(deleted, false)

),

final as (

    select
        zone_date,
        cast(light_seconds as {{ type_double() }}) / 60 as light_zone_minutes,
        cast(moderate_seconds as {{ type_double() }}) / 60 as moderate_zone_minutes,
        cast(vigorous_seconds as {{ type_double() }}) / 60 as vigorous_zone_minutes,
        cast(peak_seconds as {{ type_double() }}) / 60 as peak_zone_minutes,
        azm_fat_burn as active_zone_minutes_fat_burn,
        azm_cardio as active_zone_minutes_cardio,
        azm_peak as active_zone_minutes_peak,
        azm_fat_burn + azm_cardio + azm_peak as active_zone_minutes
    from live

)

select * from final
