{#-
    One row per habit whose run of met periods (int_habit_streaks) is alive on the as-of date
    (var as_of_date, else today in the personal time zone): the run reaches the period
    containing that date, or the one just before it (the current period is still in progress).
    It is counted up to the current period: pages dated later do not lengthen it.
-#}
with

streaks as (

    select * from {{ ref('int_habit_streaks') }}

),

as_of as (

    select {{ as_of_date() }} as as_of_date

),

current_periods as (

    select
        streaks.*,
        as_of.as_of_date,
        {{ habit_period_start('streaks.period', 'as_of.as_of_date') }} as current_period_start
    from streaks
    cross join as_of

),

current_indexes as (

    select
        *,
        {{ habit_period_index('period', 'current_period_start') }} as current_period_index
    from current_periods

),

final as (

    select
        habit_id,
        as_of_date,
        current_period_start,
        streak_start,
        cast(case
            when streak_end_index > current_period_index
                then current_period_index - streak_start_index + 1
            else streak_length
        end as {{ dbt.type_bigint() }}) as streak_length
    from current_indexes
    where
        streak_start_index <= current_period_index
        and streak_end_index >= current_period_index - 1

)

select * from final
