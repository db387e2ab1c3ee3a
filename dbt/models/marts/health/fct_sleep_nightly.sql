{#-
    One row per night (the personal-time-zone date a sleep ends on): the main sleep with its
    duration, efficiency, stages and whether it met var('sleep_goal_hours'); naps that day are
    kept apart (count and minutes) and never count toward the goal.
-#}
with

sleep_sessions as (

    select * from {{ ref('stg_fitbit__sleep_sessions') }}

),

ranked_main_sleeps as (

    -- Fitbit marks one main sleep per night; should there be two, the longest asleep wins
    select
        *,
        row_number() over (
            partition by sleep_date order by minutes_asleep desc, start_at asc, sleep_id asc
        ) as night_rank
    from sleep_sessions
    where is_main_sleep

),

main_sleeps as (

    select * from ranked_main_sleeps
    where night_rank = 1

),

naps as (

    select
        sleep_date,
        {{ count_rows() }} as nap_count,
        cast(sum(minutes_asleep) as {{ dbt.type_bigint() }}) as nap_minutes_asleep,
        cast(sum(minutes_in_bed) as {{ dbt.type_bigint() }}) as nap_minutes_in_bed
    from sleep_sessions
    where not is_main_sleep
    group by sleep_date

),

nights as (

    select sleep_date from main_sleeps
    union distinct
    select sleep_date from naps

),

final as (

    select
        nights.sleep_date,
        main_sleeps.sleep_id,
        main_sleeps.sleep_id is not null as has_main_sleep,
        main_sleeps.start_at as sleep_start_at,
        main_sleeps.end_at as sleep_end_at,
        main_sleeps.minutes_asleep,
        main_sleeps.minutes_awake,
        main_sleeps.minutes_in_bed,
        cast(main_sleeps.minutes_asleep as {{ type_double() }}) / 60 as hours_asleep,
        main_sleeps.efficiency,
        main_sleeps.minutes_deep,
        main_sleeps.minutes_light,
        main_sleeps.minutes_rem,
        main_sleeps.minutes_wake,
        cast({{ var('sleep_goal_hours') | float }} as {{ type_double() }}) as sleep_goal_hours,
        coalesce(main_sleeps.minutes_asleep >= {{ (var('sleep_goal_hours') | float) * 60 }}, false)
            as is_sleep_goal_met,
        coalesce(naps.nap_count, 0) as nap_count,
        coalesce(naps.nap_minutes_asleep, 0) as nap_minutes_asleep,
        coalesce(naps.nap_minutes_in_bed, 0) as nap_minutes_in_bed
    from nights
    left join main_sleeps
        on nights.sleep_date = main_sleeps.sleep_date
    left join naps
        on nights.sleep_date = naps.sleep_date

)

select * from final{{ lookback_filter('sleep_date') }}
