{#- Live pages of every Notion data source, from the one raw table notion__pages, trashed pages excluded. -#}
with

pages as (

    select * from {{ optional_source('notion', 'notion__pages', {
        'page_id': 'text', 'data_source_id': 'text', 'title': 'text', 'created_time': 'timestamp',
        'last_edited_time': 'timestamp', 'in_trash': 'bool', 'url': 'text'}) }}

),

data_sources as (

    select * from {{ ref('stg_notion__data_sources') }}

),

final as (

    select
        pages.page_id,
        pages.data_source_id,
        data_sources.title as data_source_title,
        data_sources.role as data_source_role,
        data_sources.period as data_source_period,
        pages.title,
        pages.created_time as created_at,
        pages.last_edited_time as last_edited_at,
        pages.url
    from pages
    left join data_sources
        on pages.data_source_id = data_sources.data_source_id
    where not coalesce(pages.in_trash, false)

)

select * from final
