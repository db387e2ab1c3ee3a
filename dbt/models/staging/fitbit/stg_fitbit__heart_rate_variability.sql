{#- One row per local day with a heart-rate variability (RMSSD during sleep). -#}
with

source as (

    select * from {{ optional_source('fitbit', 'fitbit__heart_rate_variability', {
        'measured_date': 'date', 'average_ms': 'double', 'deep_sleep_rmssd_ms': 'double',
        'entropy': 'double', 'non_rem_heart_rate_bpm': 'bigint', 'deleted': 'bool'}) }}

),

live as (

    select *
    from source
    where not coalesce(deleted, false)

),

final as (

    select
        measured_date,
        average_ms as hrv_ms,
        deep_sleep_rmssd_ms as hrv_deep_sleep_ms,
        entropy as hrv_entropy,
        non_rem_heart_rate_bpm as non_rem_heart_rate
    from live

)

select * from final
