{{ config(alias='web_sales_checks') }}
{#- The web dashboard's reading of agg_web_sales_checks (see there). -#}
select
    orders_add_up,
    new_customers_add_up,
    order_lines,
    net_sales_amount,
    sales_quantity,
    client_orders_add_up
from {{ ref('agg_web_sales_checks') }}
