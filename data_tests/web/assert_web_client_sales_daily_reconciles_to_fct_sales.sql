{#-
    agg_web_client_sales_daily adds up to fct_sales: net sales, units, margin, cancelled amount and
    (where they add up, agg_web_sales_checks) the distinct orders. Totals only: per client they
    follow from the same sums over rows that each hold one client.
-#}
with lines as (
    select
        sum(net_sales_amount) as net_sales_amount,
        sum(sales_quantity) as sales_quantity,
        sum(margin_amount) as margin_amount,
        sum(cancelled_amount) as cancelled_amount
    from {{ ref('fct_sales') }}
),

daily as (
    select
        sum(net_sales_amount) as net_sales_amount,
        sum(sales_quantity) as sales_quantity,
        sum(margin_amount) as margin_amount,
        sum(cancelled_amount) as cancelled_amount,
        sum(order_count) as order_count
    from {{ ref('agg_web_client_sales_daily') }}
),

checks as (
    select
        client_orders_add_up,
        orders_add_up
    from {{ ref('agg_web_sales_checks') }}
),

daily_orders as (
    select coalesce(sum(order_count), 0) as order_count
    from {{ ref('agg_web_sales_daily') }}
    where is_all_categories
)

select
    lines.net_sales_amount as lines_net_sales_amount,
    daily.net_sales_amount as daily_net_sales_amount
from lines
cross join daily
cross join checks
cross join daily_orders
where
    coalesce(lines.net_sales_amount, 0) <> coalesce(daily.net_sales_amount, 0)
    or coalesce(lines.sales_quantity, 0) <> coalesce(daily.sales_quantity, 0)
    or coalesce(lines.margin_amount, 0) <> coalesce(daily.margin_amount, 0)
    or coalesce(lines.cancelled_amount, 0) <> coalesce(daily.cancelled_amount, 0)
    -- both counts add up: both are the distinct orders
    or (checks.client_orders_add_up and checks.orders_add_up and daily.order_count <> daily_orders.order_count)
