{#-
    The monthly sales forecast for the warehouse's as-of date: one row per series (total, each
    product category, each territory when the history supports it) and month of the 12 months
    after the last complete month, with 80 % and 95 % prediction intervals. A run made for another
    as-of date is ignored (empty until `salespulse forecast` runs for this one).
-#}
with forecast as (
    select * from {{ ref('stg_forecast__monthly') }}
    where as_of_date = {{ as_of_date() }}
)

select
    {{ surrogate_key(['series_level', 'series_member', 'forecast_month']) }} as sales_forecast_key,
    {{ forecast_run_columns() }},
    {{ forecast_month_columns() }},
    training_start_month,
    training_end_month,
    loaded_at
from forecast
