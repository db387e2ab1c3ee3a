{#-
    One row per habit per period (day, week or month). Every checkbox and number column of a
    habit database is a habit (see int_habit_entries), so a new column appears here
    without SQL changes; its target comes from the "Habit Reference" database, else the vars.
-#}
with

habit_entries as (

    select * from {{ ref('int_habit_entries') }}
    where period_start is not null

),

pages as (

    select * from {{ ref('stg_notion__pages') }}

),

habit_targets as (

    select * from {{ ref('int_habit_targets') }}

),

normalized as (

    -- a weekly page dated mid-week still counts for its week, a monthly one for its month
    select
        habit_entries.*,
        {{ habit_period_start('habit_entries.period', 'habit_entries.period_start') }} as normalized_start,
        pages.last_edited_at,
        pages.is_archived
    from habit_entries
    inner join pages
        on habit_entries.page_id = pages.page_id

),

ranked as (

    -- two tracker pages for the same period: a live one before an archived one, then the most
    -- recently edited
    select
        *,
        row_number() over (
            partition by habit_id, normalized_start
            order by case when is_archived then 1 else 0 end, last_edited_at desc, page_id asc
        ) as edit_rank
    from normalized

),

deduplicated as (

    select * from ranked
    where edit_rank = 1

),

with_targets as (

    select
        deduplicated.*,
        habit_targets.target as reference_target
    from deduplicated
    left join habit_targets
        on
            lower(trim(deduplicated.habit_name)) = habit_targets.habit_key
            and deduplicated.period = habit_targets.period

),

targeted as (

    select
        *,
        case
            when habit_type = 'checkbox' then cast(null as {{ type_double() }})
            else coalesce(reference_target, {{ numeric_var_or_null('habit_default_target_value') }})
        end as target_value,
        case
            when habit_type = 'checkbox'
                then coalesce(reference_target, {{ numeric_var_or_null('habit_default_target_rate') }})
            else {{ numeric_var_or_null('habit_default_target_rate') }}
        end as target_rate,
        case when reference_target is null then 'default' else 'habit_reference' end as target_source
    from with_targets

),

final as (

    select
        {{ dbt.hash(dbt.concat(["habit_id", "'|'", "cast(normalized_start as " ~ dbt.type_string() ~ ")"])) }}
            as habit_period_id,
        habit_id,
        habit_name,
        habit_type,
        period,
        normalized_start as period_start,
        {{ habit_period_end('period', 'normalized_start') }} as period_end,
        page_id,
        is_done,
        value,
        target_value,
        target_rate,
        target_source,
        case
            when habit_type = 'checkbox' then is_done
            when target_value is null then is_done
            else coalesce(value >= target_value, false)
        end as is_target_met,
        is_archived
    from targeted

)

select * from final
