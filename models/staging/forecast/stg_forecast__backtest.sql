{#-
    The landed backtest, typed: forecasts of the model and of the seasonal-naive baseline for the
    months after the cut-off, with the actual sales. Empty until the first `salespulse forecast`.
-#}
{%- set columns = {
    'run_id': dbt.type_string(),
    'as_of_date': 'date',
    'model_name': dbt.type_string(),
    'model_parameters': dbt.type_string(),
    'series_level': dbt.type_string(),
    'series_member': dbt.type_string(),
    'cutoff_date': 'date',
    'forecast_month': 'date',
    'horizon_months': 'integer',
    'forecast_amount': 'decimal(18, 4)',
    'lower_80_amount': 'decimal(18, 4)',
    'upper_80_amount': 'decimal(18, 4)',
    'lower_95_amount': 'decimal(18, 4)',
    'upper_95_amount': 'decimal(18, 4)',
    'actual_amount': 'decimal(18, 4)',
    'training_start_month': 'date',
    '_loaded_at': dbt.type_timestamp(),
} -%}

with typed as (
    {{ source_rows_or_empty('forecast', 'forecast_backtest', columns, renames={'_loaded_at': 'loaded_at'}) }}
)

select * from typed
