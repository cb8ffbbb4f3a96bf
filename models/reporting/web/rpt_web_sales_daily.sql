{{ config(alias='web_sales_daily') }}
{#- The web dashboard's reading of agg_web_sales_daily (see there). -#}
{{ select_declared_columns(ref('agg_web_sales_daily')) }}
