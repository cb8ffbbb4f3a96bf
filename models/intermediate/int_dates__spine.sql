{#-
    One row per day, whole years, covering every order, due and ship date, the budget, the
    history start to the as-of date and the 12 months after it (the sales forecast's horizon).
    The bounds are read from the data when the model compiles.
-#}
{%- set bounds_sql -%}
    select
        min(first_day) as first_day,
        max(last_day) as last_day
    from (
        select min(order_date) as first_day, max(due_date) as last_day from {{ ref('stg_erp__order_lines') }}
        union all
        select min(ship_date), max(ship_date) from {{ ref('stg_erp__order_lines') }}
        union all
        select min(budget_month), max(budget_month) from {{ ref('stg_finance__budget') }}
        union all
        select {{ history_start_date() }}, {{ as_of_date() }}
        union all
        select {{ as_of_date() }}, cast({{ dbt.dateadd('month', 12, as_of_date()) }} as date)
    ) as all_dates
{%- endset -%}
{%- set first_year = history_start_value()[:4] | int -%}
{#- 12 months after the as-of date always fall in the next calendar year. -#}
{%- set last_year = [(as_of_date_value()[:4] | int) + 1, budget_year_value()] | max -%}
{#- Before the first build (or when only compiling, e.g. for linting) the inputs may not exist yet. -#}
{%- set inputs_exist = execute
    and load_relation(ref('stg_erp__order_lines')) is not none
    and load_relation(ref('stg_finance__budget')) is not none -%}
{%- if inputs_exist -%}
    {%- set row = run_query(bounds_sql).rows[0] -%}
    {%- set first_year = row[0].year -%}
    {%- set last_year = row[1].year -%}
{%- endif -%}
{%- set day_count = (modules.datetime.date(last_year, 12, 31) - modules.datetime.date(first_year, 1, 1)).days + 1 %}

with day_numbers as (
    {{ dbt.generate_series(day_count) }}
),

days as (
    select
        cast(
            {{ dbt.dateadd('day', 'generated_number - 1', date_literal(first_year ~ '-01-01')) }} as date
        ) as date_day
    from day_numbers
)

select date_day from days
