{{ config(alias='web_product_sales_lines') }}
{#- The web dashboard's reading of agg_web_product_sales_lines (see there). -#}
select
    product_key,
    order_date,
    order_number,
    customer_key,
    sales_rep_key,
    geography_key,
    territory_key,
    campaign_key,
    counts_as_sales,
    sales_quantity,
    net_sales_amount,
    margin_amount
from {{ ref('agg_web_product_sales_lines') }}
