{#-
    Sales per month x product x campaign x territory x sales rep x client type, for the web
    dashboard's product rankings and product page over whole months. Sums only: they add up to any
    coarser group.
-#}
{#- Incremental (macros/incremental.sql): the touched months are recomputed whole. -#}
{%- set digests = [
    ('dim_customer', ['customer_key', 'customer_type', 'sales_rep_key', 'territory_key']),
] -%}
{%- set plan = incremental_config('month_start_date', 'touched_months', digests, ['fct_sales']) %}

{{ import_ctes([
    ('order_lines', 'int_order_lines__enriched'),
    ('dates', 'dim_date'),
]) }},

lines as (
    select
        dates.month_start_date,
        order_lines.product_key,
        order_lines.campaign_key,
        order_lines.territory_key,
        order_lines.sales_rep_key,
        order_lines.net_sales_amount,
        order_lines.sales_quantity,
        order_lines.margin_amount,
        order_lines.cancelled_amount,
        order_lines.customer_type,
        order_lines.customer_sales_rep_key,
        order_lines.customer_territory_key
    from order_lines
    inner join dates on order_lines.order_date_key = dates.date_key
    where {{ touched_only(plan, 'dates.month_start_date', touched_months()) }}
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
    {{ web_sums() }}
from lines
group by
    month_start_date, product_key, campaign_key, territory_key, sales_rep_key,
    customer_type, customer_sales_rep_key, customer_territory_key
order by month_start_date, product_key
