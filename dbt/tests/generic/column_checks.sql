{#- A model's column checks in one query: the given columns are set on every row (not_null),
    hold no value twice (unique; nulls aside, as dbt's unique), hold only the listed values
    (accepted_values: {column: [values]}; nulls aside, as dbt's accepted_values) and, for each
    list in unique_combinations, identify a row together.

    One row per failed check: check_name, column_name and failing_rows (the rows with nulls,
    the surplus rows of repeated values, the rows with other values).

    Why one test per model, where dbt's own tests are one per column: each dbt node has a fixed
    cost whatever its query (on BigQuery a billed query), and the daily build had three such
    tests for each model. The counts are taken in one scan, and the scan is referenced once
    (check_list cross join counts): BigQuery would compute a CTE again for each reference. -#}
{% test column_checks(model, not_null=[], unique=[], accepted_values={}, unique_combinations=[]) %}

{%- set checks = [] -%}
{%- for column in not_null -%}
    {%- do checks.append(("not_null", column, "count(*) - count(" ~ column ~ ")")) -%}
{%- endfor -%}
{%- for column in unique -%}
    {%- do checks.append(("unique", column,
                          "count(" ~ column ~ ") - count(distinct " ~ column ~ ")")) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set listed = [] -%}
    {%- for value in values -%}{%- do listed.append("'" ~ value ~ "'") -%}{%- endfor -%}
    {%- do checks.append(("accepted_values", column,
                          "count(case when " ~ column ~ " not in (" ~ listed | join(", ")
                          ~ ") then 1 end)")) -%}
{%- endfor -%}

with
{% if checks %}
counts as (

    select
        {%- for check in checks %}
        {{ check[2] }} as check_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

check_list as (

    {%- for check in checks %}
    select {{ loop.index }} as check_number, '{{ check[0] }}' as check_name,
        '{{ check[1] }}' as column_name{{ " union all" if not loop.last }}
    {%- endfor %}

),

counted as (

    select
        check_list.check_name,
        check_list.column_name,
        case check_list.check_number
            {%- for check in checks %}
            when {{ loop.index }} then counts.check_{{ loop.index }}
            {%- endfor %}
        end as failing_rows
    from check_list
    cross join counts

),
{% endif %}
{%- for columns in unique_combinations %}
repeated_{{ loop.index }} as (

    select count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(", ") }}
    having count(*) > 1

),
{% endfor %}
failed as (

    {%- set parts = [] -%}
    {%- if checks -%}
        {%- do parts.append("select check_name, column_name, failing_rows from counted") -%}
    {%- endif -%}
    {%- for columns in unique_combinations -%}
        {%- do parts.append("select 'unique_combination' as check_name, '" ~ columns | join(", ")
                            ~ "' as column_name, cast(coalesce(sum(occurrences - 1), 0) as "
                            ~ dbt.type_bigint() ~ ") as failing_rows from repeated_"
                            ~ loop.index) -%}
    {%- endfor %}
    {{ parts | join("\n    union all\n    ") }}

)

select * from failed
where failing_rows > 0

{% endtest %}
