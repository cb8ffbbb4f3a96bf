{{ config(alias='web_client_sales') }}
{#- The web dashboard's reading of agg_web_client_sales (see there). -#}
select
    client_rank,
    customer_label,
    category_name,
    territory_key,
    sales_rep_key,
    customer_type,
    customer_sales_rep_key,
    customer_territory_key,
    positive_net_sales_amount
from {{ ref('agg_web_client_sales') }}
