{{ config(alias='web_client_sales_daily') }}
{#- The web dashboard's reading of agg_web_client_sales_daily (see there). -#}
select
    customer_key,
    order_date,
    order_date_key,
    territory_key,
    sales_rep_key,
    customer_type,
    customer_sales_rep_key,
    customer_territory_key,
    net_sales_amount,
    sales_quantity,
    margin_amount,
    cancelled_amount,
    order_count
from {{ ref('agg_web_client_sales_daily') }}
