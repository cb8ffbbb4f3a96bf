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
    run_id,
    as_of_date,
    model_name,
    model_parameters,
    series_level,
    series_member,
    {{ forecast_series_attributes() }},
    forecast_month,
    {{ date_key('forecast_month') }} as month_date_key,
    horizon_months,
    forecast_amount,
    lower_80_amount,
    upper_80_amount,
    lower_95_amount,
    upper_95_amount,
    training_start_month,
    training_end_month,
    loaded_at
from forecast
