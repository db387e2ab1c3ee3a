{#-
    One row per sleep session. A night belongs to the date it ends where it was slept: the
    pipeline dates it by the data point's own UTC offset. A point without an offset falls back
    to the personal time zone.
-#}
with

sleep as (

    select * from {{ optional_source('fitbit', 'fitbit__sleep', {
        'sleep_id': 'text', 'start_time': 'timestamp', 'end_time': 'timestamp', 'sleep_date': 'date',
        'start_time_local': 'local_timestamp', 'end_time_local': 'local_timestamp',
        'sleep_type': 'text', 'is_main_sleep': 'bool', 'is_nap': 'bool', 'minutes_asleep': 'bigint',
        'minutes_awake': 'bigint', 'minutes_in_sleep_period': 'bigint',
        'stage_deep_minutes': 'bigint', 'stage_light_minutes': 'bigint', 'stage_rem_minutes': 'bigint',
        'stage_awake_minutes': 'bigint', 'stage_restless_minutes': 'bigint', 'is_processed': 'bool',
        'deleted': 'bool'}) }}

),

live as (

    select *
    from sleep
    where not coalesce(deleted, false)

),

final as (

    select
        sleep_id,
        start_time as start_at,
        end_time as end_at,
        coalesce(sleep_date, {{ local_date('end_time', var('timezone')) }}) as sleep_date,
        coalesce(
            start_time_local, {{ to_local_timestamp('start_time', var('timezone')) }}
        ) as start_at_local,
        coalesce(
            end_time_local, {{ to_local_timestamp('end_time', var('timezone')) }}
        ) as end_at_local,
        sleep_type,
        coalesce(is_main_sleep, false) as is_main_sleep,
        coalesce(is_nap, false) as is_nap,
        minutes_asleep,
        minutes_awake,
        minutes_in_sleep_period as minutes_in_bed,
        case
            when minutes_in_sleep_period > 0
                then cast(minutes_asleep as {{ type_double() }}) * 100 / minutes_in_sleep_period
        end as efficiency,
        stage_deep_minutes as minutes_deep,
        stage_light_minutes as minutes_light,
        stage_rem_minutes as minutes_rem,
        coalesce(stage_awake_minutes, 0) as minutes_wake,
        stage_restless_minutes as minutes_restless,
        is_processed
    from live

)

select * from final
