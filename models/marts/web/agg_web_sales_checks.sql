{#-
    What the web dashboard checks before it reads the aggregates of a build (one row):

    - whether the distinct counts of agg_web_sales_daily add up. They do when every order with a
      line that counts as sales falls in one day x campaign x territory x rep x client type group,
      and every known client's first order too: then the counts summed over the all-categories rows
      equal the distinct counts over the order lines. Otherwise the web counts from the order lines.
    - the totals of fct_sales the aggregates were built from: when the order lines read no longer
      have them (fct_sales rebuilt or changed without its aggregates), the web reads the order lines.
    - whether the order counts of agg_web_client_sales_daily add up: every counted order falls in one
      client x day x territory x rep group. Otherwise the web counts a client's orders from the lines.
-#}
with daily as (
    select
        coalesce(sum(order_count), 0) as order_count,
        coalesce(sum(new_customer_count), 0) as new_customer_count
    from {{ ref('agg_web_sales_daily') }}
    where is_all_categories
),

client_daily as (
    select coalesce(sum(order_count), 0) as order_count
    from {{ ref('agg_web_client_sales_daily') }}
),

sales as (
    select
        count(*) as order_lines,
        cast(coalesce(sum(net_sales_amount), 0) as decimal(38, 4)) as net_sales_amount,
        cast(coalesce(sum(sales_quantity), 0) as bigint) as sales_quantity,
        count(distinct case when customer_order_type = 'New' and customer_key <> -1 then customer_key end)
            as new_customer_count
    from {{ ref('fct_sales') }}
),

-- the distinct orders with a line that counts as sales: fct_orders holds one row per such order
-- (counting them here costs a count(*), where distinct order numbers over the lines cost a hash of
-- every line)
orders as (
    select count(*) as order_count
    from {{ ref('fct_orders') }}
)

select
    daily.order_count = orders.order_count as orders_add_up,
    daily.new_customer_count = sales.new_customer_count as new_customers_add_up,
    cast(sales.order_lines as bigint) as order_lines,
    sales.net_sales_amount,
    sales.sales_quantity,
    client_daily.order_count = orders.order_count as client_orders_add_up
from daily
cross join sales
cross join orders
cross join client_daily
