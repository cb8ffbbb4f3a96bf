{{ config(alias='web_client_sales_monthly') }}
{#- The web dashboard's reading of agg_web_client_sales_monthly (see there). -#}
{{ select_declared_columns(ref('agg_web_client_sales_monthly')) }}
