{#-
    Sales per month x product category x campaign x city x territory x sales rep x client type x
    industry, for the web dashboard's queries that need a city or an industry (the map, their
    slicers) over whole months. Sums only: they add up to any coarser group.
-#}
{#- Incremental (macros/incremental.sql): the touched months are recomputed whole. -#}
{%- set digests = [
    ('dim_customer', ['customer_key', 'customer_label', 'customer_type', 'industry', 'sales_rep_key', 'territory_key']),
    ('dim_product', ['product_key', 'category_name']),
] -%}
{%- set plan = incremental_config('month_start_date', 'touched_months', digests, ['fct_sales']) %}

{{ import_ctes([
    ('order_lines', 'int_order_lines__enriched'),
    ('dates', 'dim_date'),
]) }},

lines as (
    select
        dates.month_start_date,
        order_lines.campaign_key,
        order_lines.geography_key,
        order_lines.territory_key,
        order_lines.sales_rep_key,
        order_lines.net_sales_amount,
        order_lines.sales_quantity,
        order_lines.margin_amount,
        order_lines.cancelled_amount,
        order_lines.category_name,
        order_lines.customer_type,
        order_lines.industry,
        order_lines.customer_sales_rep_key,
        order_lines.customer_territory_key
    from order_lines
    inner join dates on order_lines.order_date_key = dates.date_key
    where {{ touched_only(plan, 'dates.month_start_date', touched_months()) }}
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
    {{ web_sums() }}
from lines
group by
    month_start_date, category_name, campaign_key, geography_key, territory_key, sales_rep_key,
    customer_type, industry, customer_sales_rep_key, customer_territory_key
order by month_start_date
