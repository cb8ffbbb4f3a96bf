{{ config(alias='web_sales_monthly') }}
{#- The web dashboard's reading of agg_web_sales_monthly (see there). -#}
select
    month_start_date,
    category_name,
    campaign_key,
    geography_key,
    territory_key,
    sales_rep_key,
    customer_type,
    industry,
    customer_sales_rep_key,
    customer_territory_key,
    net_sales_amount,
    sales_quantity,
    margin_amount,
    cancelled_amount
from {{ ref('agg_web_sales_monthly') }}
