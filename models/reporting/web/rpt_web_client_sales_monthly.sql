{{ config(alias='web_client_sales_monthly') }}
{#- The web dashboard's reading of agg_web_client_sales_monthly (see there). -#}
select
    client_rank,
    customer_label,
    customer_key,
    category_name,
    territory_key,
    sales_rep_key,
    customer_type,
    customer_sales_rep_key,
    customer_territory_key,
    month_start_date,
    net_sales_amount,
    positive_net_sales_amount
from {{ ref('agg_web_client_sales_monthly') }}
