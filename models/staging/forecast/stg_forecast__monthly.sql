{#-
    The landed forecast, typed. Empty until the first `salespulse forecast` (the raw table does
    not exist before it; see macro source_rows_or_empty).
-#}
{%- set columns = {
    'run_id': dbt.type_string(),
    'as_of_date': 'date',
    'model_name': dbt.type_string(),
    'model_parameters': dbt.type_string(),
    'series_level': dbt.type_string(),
    'series_member': dbt.type_string(),
    'forecast_month': 'date',
    'horizon_months': 'integer',
    'forecast_amount': 'decimal(18, 4)',
    'lower_80_amount': 'decimal(18, 4)',
    'upper_80_amount': 'decimal(18, 4)',
    'lower_95_amount': 'decimal(18, 4)',
    'upper_95_amount': 'decimal(18, 4)',
    'training_start_month': 'date',
    'training_end_month': 'date',
    '_loaded_at': dbt.type_timestamp(),
} -%}

with forecast_rows as (
    {{ source_rows_or_empty('forecast', 'forecast_monthly', columns) }}
),

typed as (
    select
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        cast(as_of_date as date) as as_of_date,
        cast(model_name as {{ dbt.type_string() }}) as model_name,
        cast(model_parameters as {{ dbt.type_string() }}) as model_parameters,
        cast(series_level as {{ dbt.type_string() }}) as series_level,
        cast(series_member as {{ dbt.type_string() }}) as series_member,
        cast(forecast_month as date) as forecast_month,
        cast(horizon_months as integer) as horizon_months,
        {{ money('forecast_amount') }} as forecast_amount,
        {{ money('lower_80_amount') }} as lower_80_amount,
        {{ money('upper_80_amount') }} as upper_80_amount,
        {{ money('lower_95_amount') }} as lower_95_amount,
        {{ money('upper_95_amount') }} as upper_95_amount,
        cast(training_start_month as date) as training_start_month,
        cast(training_end_month as date) as training_end_month,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at
    from forecast_rows
)

select * from typed
