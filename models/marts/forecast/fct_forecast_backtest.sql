{#-
    The backtest of the warehouse's as-of date, month by month: the model's and the
    seasonal-naive baseline's forecasts for the 12 months after the cut-off, the actual sales,
    and the error of each month (reporting.forecast_backtest summarises them per series).
-#}
with backtest as (
    select * from {{ ref('stg_forecast__backtest') }}
    where as_of_date = {{ as_of_date() }}
)

select
    {{ surrogate_key(['series_level', 'series_member', 'model_name', 'forecast_month']) }}
        as forecast_backtest_key,
    {{ forecast_run_columns() }},
    cutoff_date,
    {{ forecast_month_columns() }},
    actual_amount,
    {{ money('forecast_amount - actual_amount') }} as error_amount,
    {{ ratio(
        'case when actual_amount > 0 then '
        ~ exact_ratio('abs(forecast_amount - actual_amount)', 'actual_amount') ~ ' end'
    ) }} as absolute_percentage_error,
    training_start_month,
    loaded_at
from backtest
