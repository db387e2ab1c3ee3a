-- Completeness: the latest count each API gave (HubSpot search totals, the Notion id scan)
-- must equal what the raw tables hold. The pipelines write `_prp_completeness` after every
-- run; a warehouse no pipeline has checked yet has no such table, and nothing to compare.
-- Where dbt may not ask the warehouse (parse, the offline `dbt compile`), the table is taken
-- as existing, so the query is still compiled and checked.
{% set raw_schema = env_var('PRP_RAW_DATASET', 'raw_data' if target.name == 'prod' else target.name ~ '_raw_data') %}
{% set completeness = api.Relation.create(database=target.database, schema=raw_schema,
                                          identifier='_prp_completeness') %}
{% set checks = adapter.get_relation(database=target.database, schema=raw_schema,
                                     identifier='_prp_completeness')
                if _source_checkable() else completeness %}
{% if checks %}
with ranked as (
    select
        source,
        table_name,
        scope,
        api_count,
        warehouse_count,
        row_number() over (
            partition by source, table_name, scope order by checked_at desc
        ) as recency
    from {{ checks }}
),

final as (
    select source, table_name, scope, api_count, warehouse_count
    from ranked
    where recency = 1 and api_count <> warehouse_count
)

select * from final
{% else %}
select 1 as nothing_checked_yet where 1 = 0
{% endif %}
