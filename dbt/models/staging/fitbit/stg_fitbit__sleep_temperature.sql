{#- One row per local day with a nightly skin temperature and its deviation from baseline. -#}
with

source as (

    select * from {{ optional_source('fitbit', 'fitbit__sleep_temperature', {
        'measured_date': 'date', 'nightly_celsius': 'double', 'baseline_celsius': 'double',
        'relative_stddev_30d_celsius': 'double', 'deleted': 'bool'}) }}

),

live as (

    select *
    from source
    where not coalesce(deleted, false)

),

final as (

    select
        measured_date,
        nightly_celsius as nightly_temperature_celsius,
        baseline_celsius as baseline_temperature_celsius,
        nightly_celsius - baseline_celsius as temperature_deviation_celsius,
        relative_stddev_30d_celsius as temperature_deviation_stddev_celsius
    from live

)

select * from final
