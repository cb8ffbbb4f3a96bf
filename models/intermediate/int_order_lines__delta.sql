{#-
    What the change set did to the order lines, for the delta-maintained web aggregates
    (macros/delta_maintenance.sql): every line of the touched orders as the previous build left it
    (int_order_lines__previous), `line_sign` -1 and its measures negated, and as fct_sales has it now,
    `line_sign` +1, with the
    dimension columns the aggregates group by (int_order_lines__enriched's, and the month). Empty in
    a full build.
-#}
{{ config(
    materialized='table',
    schema='changes',
    post_hook="{{ delta_save(['int_order_lines__previous', 'fct_sales']) }}",
) }}

{{ import_ctes([
    ('changes', 'int_order_lines__changes'),
    ('previous_lines', 'int_order_lines__previous'),
    ('sales', 'fct_sales'),
    ('customers', 'dim_customer'),
    ('products', 'dim_product'),
    ('dates', 'dim_date'),
]) }},

{%- set columns = [
    'order_line_id', 'order_number', 'order_date', 'order_date_key', 'customer_key', 'product_key',
    'campaign_key', 'geography_key', 'territory_key', 'sales_rep_key', 'counts_as_sales', 'customer_order_type',
    'sales_quantity', 'net_sales_amount', 'margin_amount', 'cancelled_amount',
] %}
{#- negated in the before image: summed with the after image, they are what the delivery changed -#}
{%- set measures = ['sales_quantity', 'net_sales_amount', 'margin_amount', 'cancelled_amount'] %}

signed_lines as (
    select
        {%- for column in columns %}
            {{ ('-' ~ column ~ ' as ' ~ column) if column in measures else column }},
        {%- endfor %}
        -1 as line_sign
    from previous_lines
    union all
    select
        {%- for column in columns %}
            {{ column }},
        {%- endfor %}
        1 as line_sign
    from sales
    where order_number in (select changes.order_number from changes)
),

enriched as (
    select
        signed_lines.*,
        customers.customer_type,
        customers.industry,
        customers.sales_rep_key as customer_sales_rep_key,
        customers.territory_key as customer_territory_key,
        products.category_name,
        dates.month_start_date
    from signed_lines
    left join customers on signed_lines.customer_key = customers.customer_key
    left join products on signed_lines.product_key = products.product_key
    left join dates on signed_lines.order_date_key = dates.date_key
)

select * from enriched
