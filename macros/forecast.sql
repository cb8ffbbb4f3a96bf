{#-
    What the forecast and its backtest share (models/staging/forecast, models/marts/forecast).
-#}

{#-
    The columns of a landed forecast table (`forecast_monthly` or `forecast_backtest`, written by
    salespulse.forecast.landing, whose TABLES list them in this order) with their SQL types, for
    source_rows_or_empty. One list for both: the backtest adds its cut-off and the actual sales, the
    forecast the end of the history it was fitted on.
-#}
{% macro landed_forecast_columns(table_name) -%}
    {%- set both = ['forecast_monthly', 'forecast_backtest'] -%}
    {%- set landed = [
        ('run_id', dbt.type_string(), both),
        ('as_of_date', 'date', both),
        ('model_name', dbt.type_string(), both),
        ('model_parameters', dbt.type_string(), both),
        ('series_level', dbt.type_string(), both),
        ('series_member', dbt.type_string(), both),
        ('cutoff_date', 'date', ['forecast_backtest']),
        ('forecast_month', 'date', both),
        ('horizon_months', 'integer', both),
        ('forecast_amount', 'decimal(18, 4)', both),
        ('lower_80_amount', 'decimal(18, 4)', both),
        ('upper_80_amount', 'decimal(18, 4)', both),
        ('lower_95_amount', 'decimal(18, 4)', both),
        ('upper_95_amount', 'decimal(18, 4)', both),
        ('actual_amount', 'decimal(18, 4)', ['forecast_backtest']),
        ('training_start_month', 'date', both),
        ('training_end_month', 'date', ['forecast_monthly']),
        ('_loaded_at', dbt.type_timestamp(), both),
    ] -%}
    {%- set columns = {} -%}
    {%- for name, data_type, tables in landed if table_name in tables -%}
        {%- do columns.update({name: data_type}) -%}
    {%- endfor -%}
    {{- return(columns) -}}
{%- endmacro %}

{#-
    Which run and series a forecast row belongs to: the run, its as-of date and method (the model or
    the seasonal-naive baseline), the series and what it is about (forecast_series_attributes).
-#}
{% macro forecast_run_columns() -%}
    run_id,
    as_of_date,
    model_name,
    model_parameters,
    series_level,
    series_member,
    {{ forecast_series_attributes() }}
{%- endmacro %}

{#-
    A forecast row's month (with its date key), horizon, point forecast and 80 % / 95 % prediction
    intervals: the columns fct_sales_forecast and fct_forecast_backtest both carry.
-#}
{% macro forecast_month_columns() -%}
    forecast_month,
    {{ date_key('forecast_month') }} as month_date_key,
    horizon_months,
    forecast_amount,
    lower_80_amount,
    upper_80_amount,
    lower_95_amount,
    upper_95_amount
{%- endmacro %}
