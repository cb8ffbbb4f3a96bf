{#- What this model computes and its rules: its description in _customers__models.yml (dbt docs). -#}
{#-
    Incremental (macros/incremental.sql): the clients whose orders fct_orders rebuilt are recomputed
    whole. A moved as-of date rebuilds every client: a client's lost month can pass it without a
    new order.
-#}
{%- set plan = incremental_config(
    'customer_key', 'fct_orders_touched_customers', upstream=['fct_orders'], as_of_bound=true) %}

with orders as (
    {{ client_orders(also=touched_only(plan, 'customer_key', fct_orders_touched_customers())) }}
),

ordering_months as (
    select
        customer_key,
        {{ month_start('order_date') }} as activity_month,
        min(order_date) as event_date,
        min(customer_order_sequence) as first_sequence_in_month,
        max(
            case
                when days_since_previous_order > {{ var('lost_after_days') }} then 1 else 0
            end
        ) as has_reactivation,
        count(*) as orders,
        {{ money('sum(net_sales_amount)') }} as net_sales_amount
    from orders
    group by customer_key, {{ month_start('order_date') }}
),

ordering_events as (
    select
        customer_key,
        activity_month,
        case when first_sequence_in_month = 1 then 'new' else 'returning' end as activity_type,
        event_date,
        first_sequence_in_month > 1 and has_reactivation = 1 as is_reactivation,
        orders,
        net_sales_amount
    from ordering_months
),

lost_dates as (
    select
        customer_key,
        cast({{ dbt.dateadd('day', var('lost_after_days'), 'order_date') }} as date) as lost_date
    from orders
    where
        next_order_date is null
        or {{ days_between('order_date', 'next_order_date') }} > {{ var('lost_after_days') }}
),

lost_events as (
    select
        customer_key,
        {{ month_start('lost_date') }} as activity_month,
        'lost' as activity_type,
        min(lost_date) as event_date,
        false as is_reactivation,
        0 as orders,
        {{ money('0') }} as net_sales_amount
    from lost_dates
    where lost_date <= {{ as_of_date() }}
    group by customer_key, {{ month_start('lost_date') }}
),

events as (
    select * from ordering_events
    union all
    select * from lost_events
)

select
    {{ surrogate_key(['customer_key', 'activity_month', 'activity_type']) }} as customer_activity_key,
    customer_key,
    activity_month,
    {{ date_key('activity_month') }} as month_date_key,
    activity_type,
    event_date,
    is_reactivation,
    cast(orders as integer) as orders,
    net_sales_amount
from events
