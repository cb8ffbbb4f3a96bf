{#-
    The landed backtest, typed: forecasts of the model and of the seasonal-naive baseline for the
    months after the cut-off, with the actual sales. Empty until the first `salespulse forecast`.
-#}
{%- set columns = landed_forecast_columns('forecast_backtest') -%}

with typed as (
    {{ source_rows_or_empty('forecast', 'forecast_backtest', columns, renames={'_loaded_at': 'loaded_at'}) }}
)

select * from typed
