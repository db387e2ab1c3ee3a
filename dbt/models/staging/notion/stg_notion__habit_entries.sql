{#-
    One row per habit page per habit: every checkbox and number column of a habit database
    (var('notion_habit_periods')) is a habit, so a new column needs no SQL change.
-#}
{%- set periods = var('notion_habit_periods') -%}
with

property_values as (

    select * from {{ ref('stg_notion__property_values') }}

),

habit_pages as (

    select
        page_id,
        data_source_title,
        case data_source_title
            {% for title, period in periods.items() %}
            when '{{ title }}' then '{{ period }}'
            {% endfor %}
        end as period
    from {{ ref('stg_notion__pages') }}
    where data_source_title in ('{{ periods.keys() | join("', '") }}')  -- noqa: LT05

),

page_dates as (

    -- the page's date column (the earliest, should a database have several)
    select
        page_id,
        min(value_date) as period_start
    from property_values
    where property_type = 'date'
    group by page_id

),

habit_values as (

    select *
    from property_values
    where property_type in ('checkbox', 'number')

),

final as (

    select
        {{ dbt.hash(dbt.concat(["habit_values.page_id", "'|'", "habit_values.property_id"])) }}
            as habit_entry_id,
        habit_values.page_id,
        habit_pages.period,
        page_dates.period_start,
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
    left join page_dates
        on habit_values.page_id = page_dates.page_id

)

select * from final
