{#-
    Whole days and months between two dates, and the month a date falls in, with one type on every
    engine: dbt.datediff gives a bigint on DuckDB but an integer on PostgreSQL, and dbt.date_trunc
    a timestamp even of a date. The casts give a column the same type wherever the project builds,
    so the engines' results compare column for column.
-#}

{#- Days from first_date to last_date; with both_ends, the days of the period counting both. -#}
{% macro days_between(first_date, last_date, both_ends=false) -%}
    cast({{ dbt.datediff(first_date, last_date, 'day') }}{{ ' + 1' if both_ends }} as integer)
{%- endmacro %}

{#- Month boundaries crossed from first_date to last_date (2025-01-31 to 2025-02-01 is 1). -#}
{% macro months_between(first_date, last_date) -%}
    cast({{ dbt.datediff(first_date, last_date, 'month') }} as integer)
{%- endmacro %}

{#- The first day of the date's month, as a date. -#}
{% macro month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}
