{#-
    Sales per month x product x campaign x territory x sales rep x client type, for the web
    dashboard's product rankings and product page over whole months. Sums only: they add up to any
    coarser group.
-#}
{#-
    Incremental by delta (macros/delta_maintenance.sql): each touched group gets what the delivery
    changed in it (`line_count` says when a group has no line left).
-#}
{%- set digests = [
    ('dim_customer', ['customer_key', 'customer_type', 'sales_rep_key', 'territory_key']),
] -%}
-- depends_on: {{ ref('int_order_lines__delta') }}
{%- set plan = delta_config(
    '(month_start_date, product_key, campaign_key, territory_key, sales_rep_key)',
    'touched_web_product_monthly_keys',
    digests,
    ['fct_sales', 'int_order_lines__delta'],
) %}

{#- The grain: every row is one group of these. -#}
{%- set grain = [
    'month_start_date', 'product_key', 'campaign_key', 'territory_key', 'sales_rep_key',
    'customer_type', 'customer_sales_rep_key', 'customer_territory_key',
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
    -- a delta: the touched orders' lines before (line_sign -1, measures negated) and after (+1)
    from order_lines
    inner join dates on order_lines.order_date_key = dates.date_key
),

{{ delta_regroup(plan, grain) }}
order by month_start_date, product_key
