{#-
    One row per run of consecutive periods in which a habit met its target, counted in the
    habit's own period (days, weeks or months). A missed period, or a period with no tracker
    page, ends a run. The longest run of each habit is flagged (of equally long runs, the most
    recent).
-#}
with

habit_periods as (

    select * from {{ ref('fct_habit_periods') }}

),

met_periods as (

    select
        habit_id,
        period,
        period_start,
        {{ habit_period_index('period', 'period_start') }} as period_index
    from habit_periods
    where is_target_met

),

islands as (

    -- within a run of consecutive periods index - row_number is constant
    select
        *,
        period_index - row_number() over (partition by habit_id order by period_index) as island
    from met_periods

),

streaks as (

    select
        habit_id,
        max(period) as period,
        {{ count_rows() }} as streak_length,
        min(period_start) as streak_start,
        max(period_start) as streak_end,
        min(period_index) as streak_start_index,
        max(period_index) as streak_end_index
    from islands
    group by habit_id, island

),

ranked_streaks as (

    -- ties: the most recent run
    select
        *,
        row_number() over (
            partition by habit_id order by streak_length desc, streak_end desc
        ) as length_rank
    from streaks

),

final as (

    select
        habit_id,
        period,
        streak_start,
        streak_end,
        streak_start_index,
        streak_end_index,
        streak_length,
        length_rank = 1 as is_longest
    from ranked_streaks

)

select * from final
