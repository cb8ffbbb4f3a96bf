{#-
    First and last order of every customer, from sales that count (not cancelled).
    Incremental (macros/incremental.sql): the customers of the change set are recomputed whole.
-#}
{%- set plan = incremental_config('customer_id', 'touched_customer_ids', upstream=['int_order_lines__checked']) %}

with sales_lines as (
    select * from {{ ref('int_order_lines__checked') }}
    where
        rejection_reason is null and counts_as_sales
        and {{ touched_only(plan, 'customer_id', touched_customer_ids()) }}
),

customer_orders as (
    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(distinct order_number) as order_count
    from sales_lines
    group by customer_id
),

first_orders as (
    {{ first_order_numbers('sales_lines', 'customer_orders') }}
)

select
    customer_orders.customer_id,
    customer_orders.first_order_date,
    customer_orders.last_order_date,
    customer_orders.order_count,
    first_orders.first_order_number
from customer_orders
inner join first_orders
    on customer_orders.customer_id = first_orders.customer_id
