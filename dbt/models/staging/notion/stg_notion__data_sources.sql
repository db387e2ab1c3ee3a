{#-
    The Notion data sources the pipeline loaded, with what each is for: the pipeline detects a
    habit role (habit_tracker, habit_reference) and a period (daily, weekly, monthly) from the
    title, or takes them from [sources.notion.periods] / [sources.notion.roles].
-#}
with

data_sources as (

    select * from {{ optional_source('notion', 'notion__data_sources', {
        'data_source_id': 'text', 'database_id': 'text', 'title': 'text',
        'last_edited_time': 'timestamp', 'role': 'text', 'period': 'text'}) }}

),

final as (

    select
        data_source_id,
        database_id,
        title,
        lower(role) as role,
        lower(period) as period,
        last_edited_time as last_edited_at
    from data_sources

)

select * from final
