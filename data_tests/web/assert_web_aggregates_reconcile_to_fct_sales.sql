{#- The web dashboard's aggregates add up to fct_sales: net sales, units, margin and cancelled amount. -#}
with lines as (
    select
        'fct_sales' as source_model,
        sum(net_sales_amount) as net_sales_amount,
        sum(sales_quantity) as sales_quantity,
        sum(margin_amount) as margin_amount,
        sum(cancelled_amount) as cancelled_amount
    from {{ ref('fct_sales') }}
),

daily_all as (
    select
        'agg_web_sales_daily, all categories' as source_model,
        sum(net_sales_amount) as net_sales_amount,
        sum(sales_quantity) as sales_quantity,
        sum(margin_amount) as margin_amount,
        sum(cancelled_amount) as cancelled_amount
    from {{ ref('agg_web_sales_daily') }}
    where is_all_categories
),

daily_by_category as (
    select
        'agg_web_sales_daily, per category' as source_model,
        sum(net_sales_amount) as net_sales_amount,
        sum(sales_quantity) as sales_quantity,
        sum(margin_amount) as margin_amount,
        sum(cancelled_amount) as cancelled_amount
    from {{ ref('agg_web_sales_daily') }}
    where not is_all_categories
),

monthly as (
    select
        'agg_web_sales_monthly' as source_model,
        sum(net_sales_amount) as net_sales_amount,
        sum(sales_quantity) as sales_quantity,
        sum(margin_amount) as margin_amount,
        sum(cancelled_amount) as cancelled_amount
    from {{ ref('agg_web_sales_monthly') }}
),

product_monthly as (
    select
        'agg_web_product_sales_monthly' as source_model,
        sum(net_sales_amount) as net_sales_amount,
        sum(sales_quantity) as sales_quantity,
        sum(margin_amount) as margin_amount,
        sum(cancelled_amount) as cancelled_amount
    from {{ ref('agg_web_product_sales_monthly') }}
),

client_monthly as (
    select
        'agg_web_client_sales_monthly' as source_model,
        sum(net_sales_amount) as net_sales_amount,
        cast(null as bigint) as sales_quantity,
        cast(null as decimal(18, 4)) as margin_amount,
        cast(null as decimal(18, 4)) as cancelled_amount
    from {{ ref('agg_web_client_sales_monthly') }}
),

aggregates as (
    select * from daily_all
    union all
    select * from daily_by_category
    union all
    select * from monthly
    union all
    select * from product_monthly
    union all
    select * from client_monthly
)

select aggregates.*
from aggregates
cross join lines
where
    coalesce(aggregates.net_sales_amount, 0) <> coalesce(lines.net_sales_amount, 0)
    or coalesce(aggregates.sales_quantity, lines.sales_quantity, 0) <> coalesce(lines.sales_quantity, 0)
    or coalesce(aggregates.margin_amount, lines.margin_amount, 0) <> coalesce(lines.margin_amount, 0)
    or coalesce(aggregates.cancelled_amount, lines.cancelled_amount, 0) <> coalesce(lines.cancelled_amount, 0)
