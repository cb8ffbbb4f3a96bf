{#-
    agg_web_client_sales_monthly's groups before they are ranked: sales per client label (unique:
    namesakes carry their CRM id) x month x product category x territory x sales rep x client type,
    with the sum of the positive net amounts (the ranking's measure).

    Incremental (macros/incremental.sql): the touched clients are recomputed whole (a label is one
    client's). The ranking, which a delivery can shift for every label, is agg_web_client_sales_monthly's:
    ranking these rows costs a fraction of grouping the order lines again.
-#}
{%- set digests = [
    ('dim_customer', ['customer_key', 'customer_label', 'customer_type', 'sales_rep_key', 'territory_key']),
    ('dim_product', ['product_key', 'category_name']),
] -%}
{%- set plan = incremental_config('customer_key', 'touched_customer_keys', digests, ['fct_sales']) %}

{#- The grain: every row is one group of these. -#}
{%- set grain = [
    'customer_label', 'customer_key', 'category_name', 'territory_key', 'sales_rep_key', 'customer_type',
    'customer_sales_rep_key', 'customer_territory_key', 'month_start_date',
] %}

with lines as (
    select
        customer_label,
        customer_key,
        category_name,
        territory_key,
        sales_rep_key,
        customer_type,
        customer_sales_rep_key,
        customer_territory_key,
        {{ month_start('order_date') }} as month_start_date,
        net_sales_amount
    from {{ ref('int_order_lines__enriched') }}
    where {{ touched_only(plan, 'customer_key', touched_customer_keys()) }}
)

select
    {%- for column in grain %}
        {{ column }},
    {%- endfor %}
    {{ money('sum(net_sales_amount)') }} as net_sales_amount,
    {{ money('sum(case when net_sales_amount > 0 then net_sales_amount else 0 end)') }}
        as positive_net_sales_amount
from lines
group by {{ grain | join(', ') }}
