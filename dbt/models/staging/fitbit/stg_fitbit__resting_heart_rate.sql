{#- One row per local day with a daily resting heart rate. -#}
with

resting as (

    select * from {{ optional_source('fitbit', 'fitbit__resting_heart_rate', {
        'measured_date': 'date', 'beats_per_minute': 'bigint', 'calculation_method': 'text',
        'deleted': 'bool'}) }}

),

live as (

    select *
    from resting
    where not coalesce(deleted, false)

),

final as (

    select
        measured_date,
        beats_per_minute as resting_heart_rate,
        calculation_method
    from live

)

select * from final
