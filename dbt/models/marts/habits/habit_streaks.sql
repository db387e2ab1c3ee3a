{#-
    Current and longest streak per habit, counted in the habit's own period (days, weeks or
    months): runs of consecutive periods whose target was met. A period with no tracker page
    breaks a run. The current streak is the run still alive on the as-of date (var
    as_of_date, else today in the personal time zone): it reaches the period containing that
    date, or the one just before (the current period is still in progress), counted up to the
    current period.
-#}
with

habit_periods as (

    select * from {{ ref('fct_habit_periods') }}

),

as_of as (

    select {{ as_of_date() }} as as_of_date

),

indexed as (

    select
        habit_id,
        habit_name,
        habit_type,
        period,
        period_start,
        is_target_met,
        {{ habit_period_index('period', 'period_start') }} as period_index
    from habit_periods

),

habits as (

    select
        habit_id,
        max(habit_name) as habit_name,
        max(habit_type) as habit_type,
        max(period) as period,
        {{ count_rows() }} as periods_tracked,
        {{ count_where("is_target_met") }} as periods_target_met,
        max(period_start) as last_tracked_period_start,
        max(case when is_target_met then period_start end) as last_met_period_start
    from indexed
    group by habit_id

),

current_periods as (

    select
        habits.habit_id,
        as_of.as_of_date,
        {{ habit_period_start('habits.period', 'as_of.as_of_date') }} as current_period_start
    from habits
    cross join as_of

),

current_indexes as (

    select
        current_periods.habit_id,
        current_periods.as_of_date,
        {{ habit_period_index('habits.period', 'current_periods.current_period_start') }}
            as current_period_index
    from current_periods
    inner join habits
        on current_periods.habit_id = habits.habit_id

),

islands as (

    -- met periods only: within a run of consecutive periods index - row_number is constant
    select
        habit_id,
        period_start,
        period_index,
        period_index - row_number() over (partition by habit_id order by period_index) as island
    from indexed
    where is_target_met

),

streaks as (

    select
        habit_id,
        island,
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

longest as (

    select * from ranked_streaks
    where length_rank = 1

),

current_streaks as (

    -- the run alive on the as-of date, up to the current period (later pages do not count)
    select
        streaks.habit_id,
        streaks.streak_start,
        case
            when streaks.streak_end_index > current_indexes.current_period_index
                then current_indexes.current_period_index - streaks.streak_start_index + 1
            else streaks.streak_length
        end as streak_length
    from streaks
    inner join current_indexes
        on streaks.habit_id = current_indexes.habit_id
    where
        streaks.streak_start_index <= current_indexes.current_period_index
        and streaks.streak_end_index >= current_indexes.current_period_index - 1

),

final as (

    select
        habits.habit_id,
        habits.habit_name,
        habits.habit_type,
        habits.period,
        habits.periods_tracked,
        habits.periods_target_met,
        cast(coalesce(current_streaks.streak_length, 0) as {{ dbt.type_bigint() }}) as current_streak,
        current_streaks.streak_start as current_streak_start,
        coalesce(longest.streak_length, 0) as longest_streak,
        longest.streak_start as longest_streak_start,
        longest.streak_end as longest_streak_end,
        habits.last_tracked_period_start,
        habits.last_met_period_start,
        current_indexes.as_of_date
    from habits
    inner join current_indexes
        on habits.habit_id = current_indexes.habit_id
    left join current_streaks
        on habits.habit_id = current_streaks.habit_id
    left join longest
        on habits.habit_id = longest.habit_id

)

select * from final
