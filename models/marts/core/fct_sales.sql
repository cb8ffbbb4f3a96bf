{#-
    Internet sales at order-line grain (latest version of every accepted line). Cancelled lines
    are kept and flagged; their amounts are in `cancelled_amount` and every sales measure column
    is zero for them, so summing a measure never needs a filter.

    Incremental (macros/incremental.sql): the touched order lines (int_order_lines__changes) are
    deleted and inserted again; a change of the customer, product or
    campaign keys the lines copy (a client moved to another rep or territory, a new product)
    rebuilds it in full.
-#}
{%- set digests = [
    ('dim_customer', ['customer_id', 'customer_key', 'geography_key', 'territory_key', 'sales_rep_key']),
    ('dim_product', ['sku', 'product_key']),
    ('dim_campaign', ['campaign_code', 'campaign_key']),
] -%}
{#- the web aggregates' before image (macros/delta_maintenance.sql) is captured first (not in a unit test) -#}
{%- if model.resource_type != 'unit_test' %}
-- depends_on: {{ ref('int_order_lines__previous') }}
{%- endif %}
{%- set plan = incremental_config(
    'order_line_id', 'touched_order_line_ids', digests, ['int_order_lines__checked', 'int_customer_orders']) %}

with order_lines as (
    select * from {{ ref('int_order_lines__checked') }}
    where
        rejection_reason is null
        and {{ touched_only(plan, 'order_line_id', touched_order_line_ids()) }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

products as (
    select * from {{ ref('dim_product') }}
),

campaigns as (
    select * from {{ ref('dim_campaign') }}
),

joined as (
    select
        order_lines.*,
        coalesce(customers.customer_key, -1) as customer_key,
        coalesce(customers.geography_key, -1) as geography_key,
        coalesce(customers.territory_key, -1) as territory_key,
        coalesce(customers.sales_rep_key, -1) as sales_rep_key,
        coalesce(products.product_key, -1) as product_key,
        coalesce(campaigns.campaign_key, -1) as campaign_key
    from order_lines
    left join customers
        on order_lines.customer_id = customers.customer_id
    left join products
        on order_lines.sku = products.sku
    left join campaigns
        on order_lines.campaign_code = campaigns.campaign_code
),

first_orders as (
    select * from {{ ref('int_customer_orders') }}
),

measured as (
    select
        joined.*,
        {#- gross at the contract's precision: rounded to the cent like the net, never below it -#}
        {{ money('greatest(round(joined.quantity * joined.unit_price, 2), joined.extended_amount)') }}
            as line_gross_amount,
        {{ money('joined.quantity * joined.unit_standard_cost') }} as line_cost_amount,
        case
            when not joined.counts_as_sales then null
            when joined.order_number = first_orders.first_order_number then 'New'
            else 'Returning'
        end as customer_order_type
    from joined
    left join first_orders
        on joined.customer_id = first_orders.customer_id
)

select
    {{ surrogate_key(['order_number', 'line_number']) }} as sales_key,
    order_line_id,
    order_number,
    line_number,
    {{ date_key('order_date') }} as order_date_key,
    {{ date_key('due_date') }} as due_date_key,
    case when ship_date is not null then {{ date_key('ship_date') }} end as ship_date_key,
    order_date,
    customer_key,
    product_key,
    sales_rep_key,
    geography_key,
    territory_key,
    campaign_key,
    order_status,
    order_status = 'cancelled' as is_cancelled,
    counts_as_sales,
    customer_order_type,
    quantity as ordered_quantity,
    unit_price,
    discount_pct,
    case when counts_as_sales then quantity else 0 end as sales_quantity,
    {{ money('case when counts_as_sales then line_gross_amount else 0 end') }} as gross_amount,
    {{ money('case when counts_as_sales then line_gross_amount - extended_amount else 0 end') }}
        as discount_amount,
    {{ money('case when counts_as_sales then extended_amount else 0 end') }} as net_sales_amount,
    {{ money('case when counts_as_sales then line_cost_amount else 0 end') }} as cost_amount,
    {{ money('case when counts_as_sales then extended_amount - line_cost_amount else 0 end') }}
        as margin_amount,
    {{ money('case when counts_as_sales then 0 else extended_amount end') }} as cancelled_amount,
    last_modified_at,
    source_file,
    source_row
from measured
