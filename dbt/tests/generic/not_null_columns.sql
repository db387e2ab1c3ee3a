{#- Every given column is set on every row: one row per column that has nulls, with how many.
    One query (one scan) for all of a model's required columns, where dbt's column-level
    not_null would run one query per column: a third of a daily build's nodes, and on
    BigQuery a billed query each. -#}
{% test not_null_columns(model, columns) %}

with null_counts as (

    select
        {%- for column in columns %}
        count(*) - count({{ column }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

required_columns as (

    {%- for column in columns %}
    select '{{ column }}' as column_name{{ " union all" if not loop.last }}
    {%- endfor %}

),

final as (

    select
        required_columns.column_name,
        case required_columns.column_name
            {%- for column in columns %}
            when '{{ column }}' then null_counts.{{ column }}
            {%- endfor %}
        end as null_rows
    from required_columns
    cross join null_counts

)

select * from final
where null_rows > 0

{% endtest %}
