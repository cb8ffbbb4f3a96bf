{{ config(materialized='ephemeral') }}
{#- Why ephemeral, and what each aggregate adds: this model's description in _intermediate__models.yml. -#}
{{ import_ctes([
    ('sales', 'fct_sales'),
    ('customers', 'dim_customer'),
    ('products', 'dim_product'),
]) }},

enriched as (
    select
        sales.order_number,
        sales.order_date,
        sales.order_date_key,
        sales.customer_key,
        sales.product_key,
        sales.campaign_key,
        sales.geography_key,
        sales.territory_key,
        sales.sales_rep_key,
        sales.counts_as_sales,
        sales.customer_order_type,
        sales.sales_quantity,
        sales.net_sales_amount,
        sales.margin_amount,
        sales.cancelled_amount,
        customers.customer_label,
        customers.customer_type,
        customers.industry,
        customers.sales_rep_key as customer_sales_rep_key,
        customers.territory_key as customer_territory_key,
        products.category_name
    from sales
    left join customers on sales.customer_key = customers.customer_key
    left join products on sales.product_key = products.product_key
)

select * from enriched
