{#- One row per body-fat measurement, dated by its own UTC offset. -#}
with

source as (

    select * from {{ optional_source('fitbit', 'fitbit__body_fat', {
        'measurement_id': 'text', 'measured_at': 'timestamp', 'measured_date': 'date',
        'body_fat_percent': 'double', 'recording_method': 'text', 'deleted': 'bool'}) }}

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
        body_fat_percent,
        recording_method
    from live

)

select * from final
