{#-
    One row per live page of a habit-tracker data source (role habit_tracker in
    notion__data_sources, detected from its title or set in [sources.notion.roles]), with the
    data source's period and the page's date: its date column (the earliest, should a data
    source have several). Archived pages are kept, flagged. A page without a date cannot be placed in a period: it stays here
    with a null period_start, is left out of the habit entries and is flagged by a warning.
-#}
with

pages as (

    select * from {{ ref('stg_notion__pages') }}
    where data_source_role = 'habit_tracker'

),

page_dates as (

    select
        page_id,
        min(value_date) as period_start
    from {{ ref('stg_notion__property_values') }}
    where property_type = 'date'
    group by page_id

),

final as (

    select
        pages.page_id,
        pages.data_source_id,
        pages.data_source_title,
        coalesce(pages.data_source_period, 'daily') as period,
        page_dates.period_start,
        pages.title,
        pages.url,
        pages.last_edited_at,
        pages.is_archived
    from pages
    left join page_dates
        on pages.page_id = page_dates.page_id

)

select * from final
