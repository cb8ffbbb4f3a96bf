{{ config(alias='web_sales_checks') }}
{#- The web dashboard's reading of agg_web_sales_checks (see there). -#}
{{ select_declared_columns(ref('agg_web_sales_checks')) }}
