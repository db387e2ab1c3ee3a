{#-
    Current and longest streak per habit, counted in the habit's own period (days, weeks or
    months): runs of consecutive periods whose target was met (int_habit_streaks), the one
    alive on the as-of date (int_habit_current_streaks) and the longest.
-#}
with

habit_periods as (

    select * from {{ ref('fct_habit_periods') }}

),

streaks as (

    select * from {{ ref('int_habit_streaks') }}

),

current_streaks as (

    select * from {{ ref('int_habit_current_streaks') }}

),

as_of as (

    select {{ as_of_date() }} as as_of_date

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
    from habit_periods
    group by habit_id

),

longest as (

    select * from streaks
    where is_longest

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
        as_of.as_of_date
    from habits
    cross join as_of
    left join current_streaks
        on habits.habit_id = current_streaks.habit_id
    left join longest
        on habits.habit_id = longest.habit_id

)

select * from final
