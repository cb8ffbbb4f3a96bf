{{ config(alias='web_customer_sales_lines') }}
{#- The web dashboard's reading of agg_web_customer_sales_lines (see there). -#}
{{ select_declared_columns(ref('agg_web_customer_sales_lines')) }}
