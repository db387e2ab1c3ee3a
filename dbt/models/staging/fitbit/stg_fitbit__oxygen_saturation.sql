{#- One row per local day with an average oxygen saturation (SpO2) during sleep. -#}
with

source as (

    select * from {{ optional_source('fitbit', 'fitbit__oxygen_saturation', {
        'measured_date': 'date', 'average_percent': 'double', 'lower_bound_percent': 'double',
        'upper_bound_percent': 'double', 'standard_deviation_percent': 'double',
        'deleted': 'bool'}) }}

),

live as (

    select *
    from source
    where not coalesce(deleted, false)

),

final as (

    select
        measured_date,
        average_percent as spo2_percent,
        lower_bound_percent as spo2_lower_percent,
        upper_bound_percent as spo2_upper_percent,
        standard_deviation_percent as spo2_stddev_percent
    from live

)

select * from final
