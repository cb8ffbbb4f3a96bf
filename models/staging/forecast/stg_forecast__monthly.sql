{#-
    The landed forecast, typed. Empty until the first `salespulse forecast` (the raw table does
    not exist before it; see macro source_rows_or_empty).
-#}
{%- set columns = landed_forecast_columns('forecast_monthly') -%}

with typed as (
    {{ source_rows_or_empty('forecast', 'forecast_monthly', columns, renames={'_loaded_at': 'loaded_at'}) }}
)

select * from typed
