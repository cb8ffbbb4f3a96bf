{#-
    Sales per month x product x campaign x territory x sales rep x client type, for the web
    dashboard's product rankings and product page over whole months. Sums only: they add up to any
    coarser group.
-#}
with sales as (
    select * from {{ ref('fct_sales') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

dates as (
    select * from {{ ref('dim_date') }}
),

lines as (
    select
        dates.month_start_date,
        sales.product_key,
        sales.campaign_key,
        sales.territory_key,
        sales.sales_rep_key,
        sales.net_sales_amount,
        sales.sales_quantity,
        sales.margin_amount,
        sales.cancelled_amount,
        customers.customer_type,
        customers.sales_rep_key as customer_sales_rep_key,
        customers.territory_key as customer_territory_key
    from sales
    inner join dates on sales.order_date_key = dates.date_key
    left join customers on sales.customer_key = customers.customer_key
)

select
    month_start_date,
    product_key,
    campaign_key,
    territory_key,
    sales_rep_key,
    customer_type,
    customer_sales_rep_key,
    customer_territory_key,
    {{ money('sum(net_sales_amount)') }} as net_sales_amount,
    cast(sum(sales_quantity) as bigint) as sales_quantity,
    {{ money('sum(margin_amount)') }} as margin_amount,
    {{ money('sum(cancelled_amount)') }} as cancelled_amount
from lines
group by
    month_start_date, product_key, campaign_key, territory_key, sales_rep_key,
    customer_type, customer_sales_rep_key, customer_territory_key
order by month_start_date, product_key
