{#-
    Client acquisition per sales rep: for every rep (Unassigned included) and every month from the
    first order to the as-of month, the clients whose first order was in the month. A client
    counts for the rep who owns them in the CRM (the rep on their orders).
-#}
with first_orders as (
    {{ client_orders(also='is_first_order') }}
),

reps as (
    select * from {{ ref('dim_sales_rep') }}
),

dates as (
    select * from {{ ref('dim_date') }}
),

bounds as (
    select {{ month_start('min(order_date)') }} as first_month
    from {{ ref('fct_orders') }}
),

months as (
    select distinct dates.month_start_date
    from dates
    cross join bounds
    where dates.month_start_date >= bounds.first_month and dates.month_start_date <= {{ as_of_date() }}
),

acquired as (
    select
        sales_rep_key,
        {{ month_start('order_date') }} as month_start_date,
        count(*) as new_clients,
        {{ money('sum(net_sales_amount)') }} as first_order_net_sales_amount
    from first_orders
    group by sales_rep_key, {{ month_start('order_date') }}
),

grid as (
    select
        reps.sales_rep_key,
        months.month_start_date,
        cast(coalesce(acquired.new_clients, 0) as integer) as new_clients,
        {{ money('coalesce(acquired.first_order_net_sales_amount, 0)') }} as first_order_net_sales_amount
    from reps
    cross join months
    left join acquired
        on
            reps.sales_rep_key = acquired.sales_rep_key
            and months.month_start_date = acquired.month_start_date
)

select
    {{ surrogate_key(['sales_rep_key', 'month_start_date']) }} as rep_acquisition_key,
    sales_rep_key,
    month_start_date,
    {{ date_key('month_start_date') }} as month_date_key,
    new_clients,
    first_order_net_sales_amount,
    cast(
        sum(new_clients) over (
            partition by sales_rep_key order by month_start_date rows between unbounded preceding and current row
        ) as integer
    ) as cumulative_new_clients
from grid
