{#-
    Sales per client x day x territory x sales rep (about one row per order), sorted by client, for
    the web dashboard's measures of given clients: the client table of the top clients and a small
    client's page read these rows instead of the order lines, and sum `order_count` instead of
    counting distinct orders over the lines (the client table's top 500 clients hold a tenth of
    10 M lines).

    - Sums of the measure columns of fct_sales add up to any coarser group.
    - `order_count` (distinct orders with a line that counts as sales) adds up over clients, days,
      territories and reps when an order has one client, date, territory and rep
      (agg_web_sales_checks verifies it on every build: `client_orders_add_up`).
    - The client's type, owning rep and territory ride along (row-level security without a join).
-#}
{#-
    Incremental (macros/incremental.sql): the touched (client, day) pairs are recomputed whole, from
    their lines only (late updates spread over the history touch most days, few pairs).
-#}
{%- set digests = [
    ('dim_customer', ['customer_key', 'customer_type', 'sales_rep_key', 'territory_key']),
] -%}
{%- set plan = incremental_config('(customer_key, order_date)', 'touched_client_days', digests, ['fct_sales']) %}

{#- The slices every row is grouped by: an order has one value of each (when the orders add up). -#}
{%- set slices = [
    'customer_key', 'order_date', 'order_date_key', 'territory_key', 'sales_rep_key',
    'customer_type', 'customer_sales_rep_key', 'customer_territory_key',
] %}

with lines as (
    select
        customer_key,
        order_date,
        order_date_key,
        territory_key,
        sales_rep_key,
        customer_type,
        customer_sales_rep_key,
        customer_territory_key,
        order_number,
        counts_as_sales,
        net_sales_amount,
        sales_quantity,
        margin_amount,
        cancelled_amount
    from {{ ref('int_order_lines__enriched') }}
    where {{ touched_only(plan, '(customer_key, order_date)', touched_client_days()) }}
),

-- one row per order and slice first: counting those rows is cheaper than a distinct count
orders as (
    select
        {%- for column in slices %}
            {{ column }},
        {%- endfor %}
        order_number,
        sum(net_sales_amount) as net_sales_amount,
        sum(sales_quantity) as sales_quantity,
        sum(margin_amount) as margin_amount,
        sum(cancelled_amount) as cancelled_amount,
        max(case when counts_as_sales then 1 else 0 end) as counts_as_sales
    from lines
    group by {{ slices | join(', ') }}, order_number
)

select
    {%- for column in slices %}
        {{ column }},
    {%- endfor %}
    {{ web_sums() }},
    cast(sum(counts_as_sales) as bigint) as order_count
from orders
group by {{ slices | join(', ') }}
order by customer_key, order_date
