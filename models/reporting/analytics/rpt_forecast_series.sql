{{ config(alias='forecast_series') }}
{#-
    The forecast series, one row each: the dimension reporting.sales_forecast,
    reporting.sales_forecast_yearly and reporting.forecast_backtest relate to (slice the forecast
    by it; row-level security on territories reaches the forecast through it).

    - series: the total and every product category with sales always (they have a history before
      any forecast run), plus every series of the landed forecast and backtest of the as-of date
      (the territories when the history supports them). reporting.sales_forecast reads its series
      from here, so the three views share one set of series;
    - `series_order`: the total first, then the categories, then the territories, each
      alphabetically (series levels do not sort that way by name: 'total' sorts last).
-#}
{{ import_ctes([
    ('sales', 'fct_sales'),
    ('products', 'dim_product'),
    ('forecast', 'fct_sales_forecast'),
    ('backtest', 'fct_forecast_backtest'),
]) }},

sold_categories as (
    select distinct products.category_name
    from sales
    inner join products on sales.product_key = products.product_key
    where sales.counts_as_sales
),

series_members as (
    select
        'total' as series_level,
        'All' as series_member
    union all
    select
        'category' as series_level,
        category_name as series_member
    from sold_categories
    union all
    select
        series_level,
        series_member
    from forecast
    union all
    select
        series_level,
        series_member
    from backtest
),

distinct_series as (
    select distinct
        series_level,
        series_member
    from series_members
),

ordered_series as (
    select
        series_level,
        series_member,
        row_number() over (
            order by
                case series_level when 'total' then 1 when 'category' then 2 else 3 end,
                lower(series_member),
                series_member
        ) as series_order
    from distinct_series
)

select
    {{ surrogate_key(['series_level', 'series_member']) }} as forecast_series_key,
    series_level,
    series_member,
    {{ forecast_series_attributes() }},
    cast(series_order as integer) as series_order
from ordered_series
