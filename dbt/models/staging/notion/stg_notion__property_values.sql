{#- Property values of live pages, named by the property's current name (renames follow). -#}
with

property_values as (

    select * from {{ optional_source('notion', 'notion__property_values', {
        'page_id': 'text', 'property_id': 'text', 'property_name': 'text', 'property_type': 'text',
        'value_text': 'text', 'value_number': 'double', 'value_bool': 'bool', 'value_date': 'text',
        'value_date_end': 'text', 'value_json': 'text'}) }}

),

properties as (

    select * from {{ optional_source('notion', 'notion__data_source_properties', {
        'data_source_id': 'text', 'property_id': 'text', 'property_name': 'text',
        'property_type': 'text'}) }}

),

pages as (

    select * from {{ ref('stg_notion__pages') }}

),

final as (

    select
        property_values.page_id,
        pages.data_source_id,
        pages.data_source_title,
        pages.data_source_role,
        pages.data_source_period,
        property_values.property_id,
        coalesce(properties.property_name, property_values.property_name) as property_name,
        coalesce(properties.property_type, property_values.property_type) as property_type,
        property_values.value_text,
        property_values.value_number,
        property_values.value_bool,
        {{ dbt.safe_cast("substr(property_values.value_date, 1, 10)", "date") }} as value_date,
        {{ dbt.safe_cast("substr(property_values.value_date_end, 1, 10)", "date") }} as value_date_end,
        property_values.value_json
    from property_values
    inner join pages
        on property_values.page_id = pages.page_id
    left join properties
        on
            pages.data_source_id = properties.data_source_id
            and property_values.property_id = properties.property_id

)

select * from final
