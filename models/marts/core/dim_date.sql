{#-
    The calendar, covering every fact and the budget in whole years. Relative flags (YTD, MTD,
    same period last year, ...) hang off the as-of date (macros/dates.sql: a setting or the last order date
    loaded), never off the clock.
    Fiscal year = calendar year.
-#}
{{ import_ctes([('days', 'int_dates__spine')]) }},

as_of as (
    select
        {{ as_of_date() }} as as_of_day,
        cast(extract(year from {{ as_of_date() }}) as integer) as as_of_year,
        cast(extract(month from {{ as_of_date() }}) as integer) as as_of_month,
        cast({{ dbt.dateadd('year', -1, as_of_date()) }} as date) as as_of_day_last_year,
        {{ history_start_date() }} as history_start_day,
        {{ budget_year_value() }} as budget_year
),

calendar as (
    select
        days.date_day,
        cast(extract(year from days.date_day) as integer) as year_number,
        cast(extract(quarter from days.date_day) as integer) as quarter_number,
        cast(extract(month from days.date_day) as integer) as month_number,
        cast(extract(day from days.date_day) as integer) as day_of_month,
        cast(extract(week from days.date_day) as integer) as iso_week_number,
        {{ iso_day_of_week('days.date_day') }} as iso_day_of_week,
        {{ month_start('days.date_day') }} as month_start_date,
        cast({{ dbt.last_day('days.date_day', 'month') }} as date) as month_end_date,
        as_of.as_of_day,
        as_of.as_of_year,
        as_of.as_of_month,
        as_of.as_of_day_last_year,
        as_of.history_start_day,
        as_of.budget_year
    from days
    cross join as_of
)

select
    {{ date_key('date_day') }} as date_key,
    date_day,
    year_number,
    cast(year_number as {{ dbt.type_string() }}) as year_name,
    quarter_number,
    'Q' || cast(quarter_number as {{ dbt.type_string() }}) as quarter_name,
    cast(year_number as {{ dbt.type_string() }}) || ' Q' || cast(quarter_number as {{ dbt.type_string() }})
        as year_quarter_name,
    year_number * 10 + quarter_number as year_quarter_sort,
    month_number,
    {{ month_name('month_number') }} as month_name,
    {{ month_name('month_number', short=true) }} as month_short_name,
    {{ month_name('month_number', short=true) }} || ' ' || cast(year_number as {{ dbt.type_string() }})
        as year_month_name,
    year_number * 100 + month_number as year_month_sort,
    month_start_date,
    month_end_date,
    cast(extract(day from month_end_date) as integer) as days_in_month,
    day_of_month,
    iso_week_number,
    iso_day_of_week,
    {{ day_name('iso_day_of_week') }} as day_name,
    iso_day_of_week >= 6 as is_weekend,
    year_number as fiscal_year,
    quarter_number as fiscal_quarter,
    date_day <= as_of_day as is_on_or_before_as_of,
    year_number = as_of_year as is_current_year,
    year_number = budget_year as is_budget_year,
    date_day >= history_start_day and date_day <= as_of_day as is_in_history,
    year_number = as_of_year and month_number = as_of_month as is_current_month,
    year_number = as_of_year and date_day <= as_of_day as is_ytd,
    year_number = as_of_year and month_number = as_of_month and date_day <= as_of_day as is_mtd,
    year_number = as_of_year - 1 and date_day <= as_of_day_last_year as is_prior_ytd,
    year_number = as_of_year - 1 and month_number = as_of_month and date_day <= as_of_day_last_year
        as is_prior_mtd,
    -- whole months: the as-of month to date and the 11 (23) before it, so that a budget, which
    -- is monthly, compares with whole months even when the as-of date is mid-month
    (year_number * 12 + month_number) - (as_of_year * 12 + as_of_month) >= -11 and date_day <= as_of_day
        as is_last_12_months,
    (year_number * 12 + month_number) - (as_of_year * 12 + as_of_month) >= -23 and date_day <= as_of_day
        as is_last_24_months,
    year_number - as_of_year as relative_year,
    (year_number * 12 + month_number) - (as_of_year * 12 + as_of_month) as relative_month
from calendar
