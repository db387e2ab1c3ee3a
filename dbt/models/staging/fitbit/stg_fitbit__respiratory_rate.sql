{#- One row per local day with a breathing rate during sleep. -#}
with

source as (

    select * from {{ optional_source('fitbit', 'fitbit__respiratory_rate', {
        'measured_date': 'date', 'breaths_per_minute': 'double', 'deleted': 'bool'}) }}

),

live as (

    select *
    from source
    where not coalesce(deleted, false)

),

final as (

    select
        measured_date,
        breaths_per_minute
    from live

)

select * from final
