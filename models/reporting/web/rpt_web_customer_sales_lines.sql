{{ config(alias='web_customer_sales_lines') }}
{#- The web dashboard's reading of agg_web_customer_sales_lines (see there). -#}
select
    customer_key,
    order_date,
    order_date_key,
    order_number,
    line_number,
    product_key,
    sales_rep_key,
    geography_key,
    territory_key,
    campaign_key,
    order_status,
    counts_as_sales,
    customer_order_type,
    sales_quantity,
    net_sales_amount,
    margin_amount,
    cancelled_amount
from {{ ref('agg_web_customer_sales_lines') }}
