{{ config(alias='web_sales_daily') }}
{#- The web dashboard's reading of agg_web_sales_daily (see there). -#}
select
    order_date,
    order_date_key,
    is_all_categories,
    category_name,
    campaign_key,
    territory_key,
    sales_rep_key,
    customer_type,
    customer_sales_rep_key,
    customer_territory_key,
    net_sales_amount,
    sales_quantity,
    margin_amount,
    cancelled_amount,
    order_count,
    new_customer_count
from {{ ref('agg_web_sales_daily') }}
