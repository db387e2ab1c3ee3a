{#- One row per local day with a VO2 max (cardio fitness) estimate. -#}
with

source as (

    select * from {{ optional_source('fitbit', 'fitbit__vo2_max', {
        'measured_date': 'date', 'vo2_max': 'double', 'vo2_max_covariance': 'double',
        'cardio_fitness_level': 'text', 'is_estimated': 'bool', 'deleted': 'bool'}) }}

),

live as (

    select *
    from source
    where not coalesce(deleted, false)

),

final as (

    select
        measured_date,
        vo2_max,
        cardio_fitness_level,
        coalesce(is_estimated, false) as is_vo2_max_estimated
    from live

)

select * from final
