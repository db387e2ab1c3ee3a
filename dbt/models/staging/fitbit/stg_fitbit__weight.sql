{#- One row per weigh-in, dated by its own UTC offset. -#}
with

source as (

    select * from {{ optional_source('fitbit', 'fitbit__weight', {
        'measurement_id': 'text', 'measured_at': 'timestamp', 'measured_date': 'date',
        'weight_grams': 'double', 'recording_method': 'text', 'deleted': 'bool'}) }}

),

live as (

    select *
    from source
    where not coalesce(deleted, false)

),

final as (

    select
        measurement_id,
        measured_at,
        coalesce(measured_date, {{ local_date('measured_at', var('timezone')) }}) as measured_date,
        weight_grams / 1000 as weight_kg,
        recording_method
    from live

)

select * from final
