{{ config(alias='sales_forecast_yearly') }}
{#-
    Projected full year against budget, per series and calendar year: the actual sales of the
    complete months plus the forecast of the others. `projected_full_year_amount` is empty when a
    month of the year has neither (no forecast yet, or the history starts within the year).
    Interval bounds are not summed: the sum of monthly bounds is not a bound of the year.
-#}
{{ import_ctes([('monthly', 'rpt_sales_forecast')]) }},

yearly as (
    select
        series_level,
        series_member,
        year_number,
        max(forecast_series_key) as forecast_series_key,
        max(category_name) as category_name,
        max(territory_key) as territory_key,
        max(territory_code) as territory_code,
        count(*) as months_in_year,
        sum(case when month_status = 'complete' then 1 else 0 end) as complete_months,
        sum(case when month_status <> 'complete' and forecast_amount is not null then 1 else 0 end)
            as forecast_months,
        count(projected_amount) as projected_months,
        {{ money('sum(actual_amount)') }} as actual_to_date_amount,
        {{ money("sum(case when month_status <> 'complete' then forecast_amount end)") }}
            as forecast_remaining_amount,
        {{ money('sum(projected_amount)') }} as projected_amount,
        {{ money('sum(budget_amount)') }} as budget_amount
    from monthly
    group by series_level, series_member, year_number
),

projected as (
    select
        yearly.*,
        case when yearly.projected_months = 12 then yearly.projected_amount end as projected_full_year_amount
    from yearly
)

select
    {{ surrogate_key(['series_level', 'series_member', 'year_number']) }} as sales_forecast_year_key,
    forecast_series_key,
    series_level,
    series_member,
    category_name,
    territory_key,
    territory_code,
    year_number,
    year_number = {{ budget_year_value() }} as is_budget_year,
    cast(complete_months as integer) as complete_months,
    cast(forecast_months as integer) as forecast_months,
    {{ money('actual_to_date_amount') }} as actual_to_date_amount,
    {{ money('forecast_remaining_amount') }} as forecast_remaining_amount,
    {{ money('projected_full_year_amount') }} as projected_full_year_amount,
    {{ money('budget_amount') }} as budget_amount,
    {{ money('projected_full_year_amount - budget_amount') }} as projected_vs_budget_amount,
    {{ ratio(
        'case when budget_amount > 0 then '
        ~ exact_ratio('projected_full_year_amount', 'budget_amount') ~ ' end'
    ) }} as projected_attainment_pct
from projected
