{#-
    One row per local date with a weigh-in or a body-fat measurement: the day's last weight
    and the day's last body fat (each null when none was taken that day).
-#}
with

weight as (

    select * from {{ ref('stg_fitbit__weight') }}

),

body_fat as (

    select * from {{ ref('stg_fitbit__body_fat') }}

),

last_weight as (

    select
        measured_date,
        weight_kg,
        row_number() over (
            partition by measured_date order by measured_at desc, measurement_id desc
        ) as day_rank
    from weight

),

last_body_fat as (

    select
        measured_date,
        body_fat_percent,
        row_number() over (
            partition by measured_date order by measured_at desc, measurement_id desc
        ) as day_rank
    from body_fat

),

days as (

    select measured_date from last_weight
    union distinct
    select measured_date from last_body_fat

),

final as (

    select
        days.measured_date,
        last_weight.weight_kg,
        last_body_fat.body_fat_percent
    from days
    left join last_weight
        on days.measured_date = last_weight.measured_date and last_weight.day_rank = 1
    left join last_body_fat
        on days.measured_date = last_body_fat.measured_date and last_body_fat.day_rank = 1

)

select * from final
