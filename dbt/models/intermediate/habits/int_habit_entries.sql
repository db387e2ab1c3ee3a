{#-
    One row per habit-tracker page per habit: every checkbox and number column of a data source
    whose role is habit_tracker is a habit, so a new column needs no SQL change. Pages without a
    date (int_habit_pages.period_start is null) cannot be placed in a period and are left out.
-#}
with

habit_pages as (

    select * from {{ ref('int_habit_pages') }}
    where period_start is not null

),

habit_values as (

    select * from {{ ref('stg_notion__property_values') }}
    where property_type in ('checkbox', 'number')

),

final as (

    select
        {{ dbt.hash(dbt.concat(["habit_values.page_id", "'|'", "habit_values.property_id"])) }}
            as habit_entry_id,
        habit_values.page_id,
        habit_pages.period,
        habit_pages.period_start,
        {{ dbt.concat(["habit_values.data_source_id", "'|'", "habit_values.property_id"]) }}
            as habit_id,
        habit_values.property_name as habit_name,
        habit_values.property_type as habit_type,
        case
            when habit_values.property_type = 'checkbox' then coalesce(habit_values.value_bool, false)
            else coalesce(habit_values.value_number, 0) > 0
        end as is_done,
        case
            when habit_values.property_type = 'checkbox'
                then case when habit_values.value_bool then 1.0 else 0.0 end
            else habit_values.value_number
        end as value
    from habit_values
    inner join habit_pages
        on habit_values.page_id = habit_pages.page_id

)

select * from final
