{#-
    Weekly and monthly completion rate per habit against its target. A window holds the
    habit's own periods that start in it: days and weeks roll up to weeks (daily and weekly
    habits) and to months (every habit); a week belongs to the month its first day is in.
-#}
with

habit_periods as (

    select * from {{ ref('fct_habit_periods') }}

),

windowed as (

    select
        habit_periods.*,
        'week' as grain,
        {{ week_start('period_start') }} as window_start
    from habit_periods
    where habit_periods.period in ('daily', 'weekly')

    union all

    select
        habit_periods.*,
        'month' as grain,
        {{ month_start('period_start') }} as window_start
    from habit_periods

),

aggregated as (

    select
        habit_id,
        grain,
        window_start,
        max(habit_name) as habit_name,
        max(habit_type) as habit_type,
        max(period) as period,
        {{ count_rows() }} as periods_tracked,
        {{ count_where("is_done") }} as periods_done,
        {{ count_where("is_target_met") }} as periods_target_met,
        sum(value) as value_total,
        avg(value) as value_average,
        max(target_value) as target_value,
        max(target_rate) as target_rate,
        max(target_source) as target_source
    from windowed
    group by habit_id, grain, window_start

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "habit_id", "'|'", "grain", "'|'", "cast(window_start as " ~ dbt.type_string() ~ ")"
        ])) }} as habit_metric_id,
        habit_id,
        habit_name,
        habit_type,
        period,
        grain,
        window_start,
        case grain
            when 'week' then cast({{ dbt.dateadd('day', 6, 'window_start') }} as date)
            else cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'window_start')) }} as date)
        end as window_end,
        periods_tracked,
        periods_done,
        periods_target_met,
        cast(periods_target_met as {{ type_double() }}) / periods_tracked as completion_rate,
        target_rate,
        target_value,
        target_source,
        coalesce(cast(periods_target_met as {{ type_double() }}) / periods_tracked >= target_rate, false)
            as is_on_target,
        value_total,
        value_average
    from aggregated

)

select * from final
