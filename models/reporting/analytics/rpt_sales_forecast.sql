{{ config(alias='sales_forecast') }}
{#-
    Monthly sales history, forecast and budget per series, for a line chart of "actuals, then the
    forecast with its intervals, against the budget":

    - series: those of reporting.forecast_series (the total, each product category, and each
      territory when the forecast has them), with its `forecast_series_key`;
    - months: from the first month with sales through the forecast horizon and the budget year;
    - `actual_amount`: net sales of the month up to the as-of date (to date for the month in
      progress), empty for future months;
    - forecast columns: the landed forecast of the warehouse's as-of date (empty before the
      first `salespulse forecast`);
    - `projected_amount`: actual for complete months, forecast for the others, so summing it over
      the budget year gives the projected full year (reporting.sales_forecast_yearly does);
    - `budget_amount`: the budget at the series' grain (total always; category / territory only
      when the workbook has that grain), empty outside the budget year.
-#}
{#- The series levels, and the column that names a member of each (the total has one: All). -#}
{%- set series_levels = [('total', none), ('category', 'category_name'), ('territory', 'territory_code')] %}
{{ import_ctes([
    ('sales', 'fct_sales'),
    ('dates', 'dim_date'),
    ('products', 'dim_product'),
    ('territories', 'dim_territory'),
    ('forecast', 'fct_sales_forecast'),
    ('series', 'rpt_forecast_series'),
    ('budget', 'fct_budget'),
]) }},

budget_grain as (
    select
        1 as has_total,
        coalesce(max(case when category_name is not null then 1 else 0 end), 0) as has_category,
        coalesce(max(case when territory_code is not null then 1 else 0 end), 0) as has_territory
    from budget
),

monthly_sales as (
    select
        dates.month_start_date,
        products.category_name,
        territories.territory_code,
        {{ money('sum(sales.net_sales_amount)') }} as net_sales_amount
    from sales
    inner join dates on sales.order_date_key = dates.date_key
    inner join products on sales.product_key = products.product_key
    inner join territories on sales.territory_key = territories.territory_key
    where sales.counts_as_sales
    group by dates.month_start_date, products.category_name, territories.territory_code
),

series_actuals as (
    {%- for level, member in series_levels %}
        select
            '{{ level }}' as series_level,
            {{ member or "'All'" }} as series_member,
            month_start_date,
            {{ money('sum(net_sales_amount)') }} as actual_amount
        from monthly_sales
        group by {{ member ~ ', ' if member }}month_start_date
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

series_budget as (
    {%- for level, member in series_levels %}
        select
            '{{ level }}' as series_level,
            {{ 'budget.' ~ member if member else "'All'" }} as series_member,
            budget.budget_month as month_start_date,
            {{ money('sum(budget.budget_amount)') }} as budget_amount
        from budget
        cross join budget_grain
        where budget_grain.has_{{ level }} = 1
        group by {{ 'budget.' ~ member ~ ', ' if member }}budget.budget_month
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

first_month as (
    select min(month_start_date) as month_start_date
    from (
        select month_start_date from monthly_sales
        union all
        select budget_month as month_start_date from budget
    ) as months_with_data
),

months as (
    select
        dates.month_start_date,
        max(dates.month_end_date) as month_end_date,
        max(dates.year_number) as year_number,
        max(dates.month_number) as month_number
    from dates
    cross join first_month
    where
        dates.month_start_date >= first_month.month_start_date
        and (
            dates.month_start_date <= {{ as_of_date() }}
            or dates.year_number = {{ budget_year_value() }}
            or dates.month_start_date in (select forecast.forecast_month from forecast)
        )
    group by dates.month_start_date
),

grid as (
    select
        series.forecast_series_key,
        series.series_level,
        series.series_member,
        series.category_name,
        series.territory_key,
        series.territory_code,
        months.month_start_date,
        months.month_end_date,
        months.year_number,
        months.month_number,
        case
            when months.month_end_date <= {{ as_of_date() }} then 'complete'
            when months.month_start_date <= {{ as_of_date() }} then 'in progress'
            else 'future'
        end as month_status
    from series
    cross join months
),

combined as (
    select
        grid.*,
        case
            when grid.month_status <> 'future' then coalesce(series_actuals.actual_amount, 0)
        end as actual_amount,
        forecast.model_name,
        forecast.horizon_months,
        forecast.forecast_amount,
        forecast.lower_80_amount,
        forecast.upper_80_amount,
        forecast.lower_95_amount,
        forecast.upper_95_amount,
        series_budget.budget_amount
    from grid
    left join series_actuals
        on
            grid.series_level = series_actuals.series_level
            and grid.series_member = series_actuals.series_member
            and grid.month_start_date = series_actuals.month_start_date
    left join forecast
        on
            grid.series_level = forecast.series_level
            and grid.series_member = forecast.series_member
            and grid.month_start_date = forecast.forecast_month
    left join series_budget
        on
            grid.series_level = series_budget.series_level
            and grid.series_member = series_budget.series_member
            and grid.month_start_date = series_budget.month_start_date
)

select
    {{ surrogate_key(['series_level', 'series_member', 'month_start_date']) }} as sales_forecast_key,
    forecast_series_key,
    series_level,
    series_member,
    category_name,
    territory_key,
    territory_code,
    month_start_date,
    {{ date_key('month_start_date') }} as month_date_key,
    year_number,
    month_number,
    month_status,
    year_number = {{ budget_year_value() }} as is_budget_year,
    {{ money('actual_amount') }} as actual_amount,
    model_name,
    horizon_months,
    {{ money('forecast_amount') }} as forecast_amount,
    {{ money('lower_80_amount') }} as lower_80_amount,
    {{ money('upper_80_amount') }} as upper_80_amount,
    {{ money('lower_95_amount') }} as lower_95_amount,
    {{ money('upper_95_amount') }} as upper_95_amount,
    {{ money("case when month_status = 'complete' then actual_amount else forecast_amount end") }}
        as projected_amount,
    {{ money('budget_amount') }} as budget_amount
from combined
