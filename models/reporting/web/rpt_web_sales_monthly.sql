{{ config(alias='web_sales_monthly') }}
{#- The web dashboard's reading of agg_web_sales_monthly (see there). -#}
{{ select_declared_columns(ref('agg_web_sales_monthly')) }}
