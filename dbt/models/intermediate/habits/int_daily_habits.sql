{#-
    One row per date with a daily habit tracked (personal time zone): how many daily habits
    were tracked, done and on target, and the names of those done. Weekly and monthly habits
    are left out: they have no day of their own.
-#}
with

habit_periods as (

    select * from {{ ref('fct_habit_periods') }}
    where period = 'daily'

),

final as (

    select
        period_start as summary_date,
        {{ count_rows() }} as daily_habits_tracked,
        {{ count_where("is_done") }} as daily_habits_done,
        {{ count_where("is_target_met") }} as daily_habits_target_met,
        {{ dbt.listagg("case when is_done then habit_name end", "', '", "order by habit_name") }}
            as habits_done
    from habit_periods
    group by period_start

)

select * from final
