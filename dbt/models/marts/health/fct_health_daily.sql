{#-
    One row per date with any health measurement: resting heart rate, heart-rate variability,
    SpO2, respiratory rate, skin-temperature deviation, VO2 max, weight and body fat. Each is
    null when it was not measured that day (never 0).
-#}
with

resting_heart_rate as (

    select * from {{ ref('stg_fitbit__resting_heart_rate') }}

),

heart_rate_variability as (

    select * from {{ ref('stg_fitbit__heart_rate_variability') }}

),

oxygen_saturation as (

    select * from {{ ref('stg_fitbit__oxygen_saturation') }}

),

respiratory_rate as (

    select * from {{ ref('stg_fitbit__respiratory_rate') }}

),

sleep_temperature as (

    select * from {{ ref('stg_fitbit__sleep_temperature') }}

),

vo2_max as (

    select * from {{ ref('stg_fitbit__vo2_max') }}

),

body as (

    select * from {{ ref('int_body_daily') }}

),

days as (

    select measured_date from resting_heart_rate
    union distinct
    select measured_date from heart_rate_variability
    union distinct
    select measured_date from oxygen_saturation
    union distinct
    select measured_date from respiratory_rate
    union distinct
    select measured_date from sleep_temperature
    union distinct
    select measured_date from vo2_max
    union distinct
    select measured_date from body

),

final as (

    select
        days.measured_date as health_date,
        resting_heart_rate.resting_heart_rate,
        heart_rate_variability.hrv_ms,
        oxygen_saturation.spo2_percent,
        respiratory_rate.breaths_per_minute,
        sleep_temperature.temperature_deviation_celsius,
        vo2_max.vo2_max,
        body.weight_kg,
        body.body_fat_percent
    from days
    left join resting_heart_rate
        on days.measured_date = resting_heart_rate.measured_date
    left join heart_rate_variability
        on days.measured_date = heart_rate_variability.measured_date
    left join oxygen_saturation
        on days.measured_date = oxygen_saturation.measured_date
    left join respiratory_rate
        on days.measured_date = respiratory_rate.measured_date
    left join sleep_temperature
        on days.measured_date = sleep_temperature.measured_date
    left join vo2_max
        on days.measured_date = vo2_max.measured_date
    left join body
        on days.measured_date = body.measured_date

)

select * from final{{ lookback_filter('health_date') }}
