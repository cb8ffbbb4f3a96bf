{{ config(alias='web_product_sales_monthly') }}
{#- The web dashboard's reading of agg_web_product_sales_monthly (see there). -#}
select
    month_start_date,
    product_key,
    campaign_key,
    territory_key,
    sales_rep_key,
    customer_type,
    customer_sales_rep_key,
    customer_territory_key,
    net_sales_amount,
    sales_quantity,
    margin_amount,
    cancelled_amount
from {{ ref('agg_web_product_sales_monthly') }}
