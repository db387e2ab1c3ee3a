{#-
    Pages of every Notion data source, from the one raw table notion__pages: trashed pages (and
    pages the integration lost) excluded, archived pages kept and flagged (is_archived), as the
    README says: an archived habit row is still history.
-#}
{#- a warehouse loaded before the column existed reads every page as not archived -#}
{%- set archived = 'coalesce(pages.is_archived, false)'
    if has_column(source('notion', 'notion__pages'), 'is_archived') else 'false' %}
with

pages as (

    select * from {{ optional_source('notion', 'notion__pages', {
        'page_id': 'text', 'data_source_id': 'text', 'title': 'text', 'created_time': 'timestamp',
        'last_edited_time': 'timestamp', 'in_trash': 'bool', 'is_archived': 'bool', 'url': 'text'}) }}

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
        pages.url,
        {{ archived }} as is_archived
    from pages
    left join data_sources
        on pages.data_source_id = data_sources.data_source_id
    where not coalesce(pages.in_trash, false)

)

select * from final
