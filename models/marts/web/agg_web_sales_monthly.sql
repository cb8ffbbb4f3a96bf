{#-
    Sales per month x product category x campaign x city x territory x sales rep x client type x
    industry, for the web dashboard's queries that need a city or an industry (the map, their
    slicers) over whole months. Sums only: they add up to any coarser group.
-#}
{#-
    Incremental by delta (macros/delta_maintenance.sql): each touched group gets what the delivery
    changed in it (`line_count` says when a group has no line left).
-#}
{%- set digests = [
    ('dim_customer', ['customer_key', 'customer_label', 'customer_type', 'industry', 'sales_rep_key', 'territory_key']),
    ('dim_product', ['product_key', 'category_name']),
] -%}
-- depends_on: {{ ref('int_order_lines__delta') }}
{%- set plan = delta_config(
    '(month_start_date, campaign_key, geography_key, territory_key, sales_rep_key)',
    'touched_web_monthly_keys',
    digests,
    ['fct_sales', 'int_order_lines__delta'],
) %}

{#- The grain: every row is one group of these. -#}
{%- set grain = [
    'month_start_date', 'category_name', 'campaign_key', 'geography_key', 'territory_key', 'sales_rep_key',
    'customer_type', 'industry', 'customer_sales_rep_key', 'customer_territory_key',
] %}

{{ import_ctes([
    ('order_lines', 'int_order_lines__enriched' if plan.full else 'int_order_lines__delta'),
    ('dates', 'dim_date'),
]) }},

lines as (
    select
    {%- if not plan.full %}
            order_lines.line_sign,
        {%- endif %}
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
    -- a delta: the touched orders' lines before (line_sign -1, measures negated) and after (+1)
    from order_lines
    inner join dates on order_lines.order_date_key = dates.date_key
),

{{ delta_regroup(plan, grain) }}
order by month_start_date
