{#-
    Habit targets from the Notion habit reference (the data sources whose role is
    habit_reference: detected from the title or set in [sources.notion.roles]), read generically
    from the property values: the title is the habit's name, the select "Period" its period and the
    number "Target" its target. No habit name appears in SQL.
-#}
with

reference_values as (

    select * from {{ ref('stg_notion__property_values') }}
    where data_source_role = 'habit_reference'

),

reference_pages as (

    select * from {{ ref('stg_notion__pages') }}
    where data_source_role = 'habit_reference'

),

pivoted as (

    select
        page_id,
        max(case when property_type = 'title' then trim(value_text) end) as habit_name,
        max(case when lower(property_name) = 'period' then lower(trim(value_text)) end) as period,
        max(case when lower(property_name) = 'target' then value_number end) as target
    from reference_values
    group by page_id

),

ranked as (

    -- should a habit be listed twice, the most recently edited row wins
    select
        pivoted.*,
        row_number() over (
            partition by lower(pivoted.habit_name), pivoted.period
            order by reference_pages.last_edited_at desc, pivoted.page_id asc
        ) as row_rank
    from pivoted
    inner join reference_pages
        on pivoted.page_id = reference_pages.page_id
    where pivoted.habit_name is not null and pivoted.habit_name != ''

),

final as (

    select
        page_id as reference_page_id,
        habit_name,
        lower(habit_name) as habit_key,
        period,
        target
    from ranked
    where row_rank = 1

)

select * from final
