{#-
    Sales per month x product category x campaign x city x territory x sales rep x client type x
    industry, for the web dashboard's queries that need a city or an industry (the map, their
    slicers) over whole months. Sums only: they add up to any coarser group.
-#}
with sales as (
    select * from {{ ref('fct_sales') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

products as (
    select * from {{ ref('dim_product') }}
),

dates as (
    select * from {{ ref('dim_date') }}
),

lines as (
    select
        dates.month_start_date,
        sales.campaign_key,
        sales.geography_key,
        sales.territory_key,
        sales.sales_rep_key,
        sales.net_sales_amount,
        sales.sales_quantity,
        sales.margin_amount,
        sales.cancelled_amount,
        products.category_name,
        customers.customer_type,
        customers.industry,
        customers.sales_rep_key as customer_sales_rep_key,
        customers.territory_key as customer_territory_key
    from sales
    inner join dates on sales.order_date_key = dates.date_key
    left join customers on sales.customer_key = customers.customer_key
    left join products on sales.product_key = products.product_key
)

select
    month_start_date,
    category_name,
    campaign_key,
    geography_key,
    territory_key,
    sales_rep_key,
    customer_type,
    industry,
    customer_sales_rep_key,
    customer_territory_key,
    {{ money('sum(net_sales_amount)') }} as net_sales_amount,
    cast(sum(sales_quantity) as bigint) as sales_quantity,
    {{ money('sum(margin_amount)') }} as margin_amount,
    {{ money('sum(cancelled_amount)') }} as cancelled_amount
from lines
group by
    month_start_date, category_name, campaign_key, geography_key, territory_key, sales_rep_key,
    customer_type, industry, customer_sales_rep_key, customer_territory_key
order by month_start_date
