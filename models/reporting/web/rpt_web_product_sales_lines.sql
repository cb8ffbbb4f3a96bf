{{ config(alias='web_product_sales_lines') }}
{#- The web dashboard's reading of agg_web_product_sales_lines (see there). -#}
{{ select_declared_columns(ref('agg_web_product_sales_lines')) }}
