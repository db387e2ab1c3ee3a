{#- Every Notion page table listed in var('notion_page_tables'), trashed pages excluded. -#}
with

{% for table in var('notion_page_tables') %}
{{ table }} as (

    select
        page_id,
        data_source_id,
        title,
        created_time,
        last_edited_time,
        in_trash,
        url,
        '{{ table }}' as source_table
    from {{ source('notion', table) }}

),
{% endfor %}

unioned as (

    {% for table in var('notion_page_tables') %}
    select * from {{ table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        page_id,
        data_source_id,
        source_table,
        title,
        created_time as created_at,
        last_edited_time as last_edited_at,
        url
    from unioned
    where not coalesce(in_trash, false)

)

select * from final
