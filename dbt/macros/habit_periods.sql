{#-
    Calendar helpers for habit periods (daily, weekly, monthly), built only on cross-db
    macros so both engines agree. Weeks follow var('week_start') through week_start().
-#}

{#- The first day of the period (of kind `period_col`) containing `date_expr`. -#}
{% macro habit_period_start(period_col, date_expr) -%}
    case {{ period_col }}
        when 'weekly' then {{ week_start(date_expr) }}
        when 'monthly' then {{ month_start(date_expr) }}
        else cast({{ date_expr }} as date)
    end
{%- endmacro %}

{#- The last day of the period starting on `start_expr`. -#}
{% macro habit_period_end(period_col, start_expr) -%}
    case {{ period_col }}
        when 'weekly' then cast({{ dbt.dateadd('day', 6, start_expr) }} as date)
        when 'monthly' then cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, start_expr)) }} as date)
        else cast({{ start_expr }} as date)
    end
{%- endmacro %}

{#-
    A whole number that grows by one from each period to the next, so consecutive periods
    differ by exactly 1 (gaps and islands for streaks). Weekly starts share a weekday, so the
    floor of days / 7 steps by one per week whatever the epoch's weekday.
-#}
{% macro habit_period_index(period_col, start_expr) -%}
    case {{ period_col }}
        when 'weekly' then cast(floor({{ dbt.datediff("cast('1970-01-01' as date)", start_expr, 'day') }} / 7) as {{ dbt.type_int() }})
        when 'monthly' then cast(extract(year from {{ start_expr }}) * 12 + extract(month from {{ start_expr }}) as {{ dbt.type_int() }})
        else cast({{ dbt.datediff("cast('1970-01-01' as date)", start_expr, 'day') }} as {{ dbt.type_int() }})
    end
{%- endmacro %}
