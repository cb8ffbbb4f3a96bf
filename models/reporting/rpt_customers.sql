{{ config(alias='customers') }}
{#- Customers (clients) for slicing and drill-down. -#}
select
    customer_key,
    customer_id,
    customer_name,
    customer_type,
    industry,
    segment,
    email,
    city,
    state_province,
    country_code,
    geography_key,
    territory_key,
    sales_rep_key,
    created_date,
    first_order_date,
    last_order_date,
    order_count,
    cohort_month,
    cohort_year,
    has_purchased
from {{ ref('dim_customer') }}
