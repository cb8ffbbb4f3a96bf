{#-
    The order lines again (the columns the product page needs), sorted by product: the web
    dashboard's product page reads one product's lines without scanning every line (fct_sales is
    in date order, so a product's lines are spread over all of it). Client attributes are joined
    when read.
-#}
{#- Incremental (macros/incremental.sql): the lines of the touched orders are replaced. -#}
{%- set plan = incremental_config('order_number', 'touched_orders', upstream=['fct_sales']) %}

with sales as (
    select * from {{ ref('fct_sales') }}
)

select
    product_key,
    order_date,
    order_number,
    line_number,
    customer_key,
    sales_rep_key,
    geography_key,
    territory_key,
    campaign_key,
    counts_as_sales,
    sales_quantity,
    net_sales_amount,
    margin_amount
from sales
where {{ touched_only(plan, 'order_number', touched_orders()) }}
order by product_key, order_date
