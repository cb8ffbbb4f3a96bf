{#-
    Sales orders: one row per order with at least one line that counts as sales (orders whose
    every line was cancelled are not sales orders), with the customer's order sequence. The basis
    of the client analytics: recency, frequency, intervals between orders, new and lost clients.

    Incremental (macros/incremental.sql): every order of the touched clients (the clients of the
    touched orders' lines, before and after the change) is recomputed, all its lines, so their
    sequences stay whole. The touched orders are joined (not `in (...)`), so the database hashes
    the few touched orders and not the 10 M lines.
-#}
{%- set plan = incremental_config(
    'customer_key', 'fct_orders_touched_customers', upstream=['fct_sales', 'int_order_lines__delta']) %}

with
{%- if not plan.full %}
    touched_orders as (
        select distinct order_number from {{ ref('fct_sales') }}
        where customer_key in ({{ fct_orders_touched_customers() }})
    ),
{%- endif %}

sales_lines as (
    select sales.* from {{ ref('fct_sales') }} as sales
    {%- if not plan.full %}
        inner join touched_orders on sales.order_number = touched_orders.order_number
    {%- endif %}
    where sales.counts_as_sales
),

orders as (
    select
        order_number,
        min(order_date) as order_date,
        min(customer_key) as customer_key,
        min(sales_rep_key) as sales_rep_key,
        min(territory_key) as territory_key,
        count(*) as line_count,
        sum(sales_quantity) as sales_quantity,
        {{ money('sum(net_sales_amount)') }} as net_sales_amount
    from sales_lines
    group by order_number
),

sequenced as (
    select
        orders.*,
        row_number() over (
            partition by orders.customer_key order by orders.order_date, orders.order_number
        ) as customer_order_sequence,
        lag(orders.order_date) over (
            partition by orders.customer_key order by orders.order_date, orders.order_number
        ) as previous_order_date,
        lead(orders.order_date) over (
            partition by orders.customer_key order by orders.order_date, orders.order_number
        ) as next_order_date
    from orders
    where {{ touched_only(plan, 'orders.customer_key', fct_orders_touched_customers()) }}
)

select
    {{ surrogate_key(['order_number']) }} as order_key,
    order_number,
    order_date,
    {{ date_key('order_date') }} as order_date_key,
    customer_key,
    sales_rep_key,
    territory_key,
    cast(line_count as integer) as line_count,
    cast(sales_quantity as integer) as sales_quantity,
    net_sales_amount,
    cast(customer_order_sequence as integer) as customer_order_sequence,
    customer_order_sequence = 1 as is_first_order,
    previous_order_date,
    next_order_date,
    case
        when previous_order_date is not null
            then {{ days_between('previous_order_date', 'order_date') }}
    end as days_since_previous_order
from sequenced
