{{ config(alias='customers') }}
{#- Customers (clients) for slicing and drill-down. -#}
{{ import_ctes([
    ('customers', 'dim_customer'),
    ('territories', 'dim_territory'),
]) }}

select
    customers.customer_key,
    customers.customer_id,
    customers.customer_name,
    customers.customer_label,
    customers.customer_type,
    customers.industry,
    customers.segment,
    customers.email,
    customers.city,
    customers.state_province,
    customers.country_code,
    customers.geography_key,
    customers.territory_key,
    -- the region of the client's territory: the Regional Lead role filters clients on it directly
    territories.region_name,
    customers.sales_rep_key,
    customers.created_date,
    customers.first_order_date,
    customers.last_order_date,
    customers.order_count,
    customers.cohort_month,
    customers.cohort_year,
    customers.has_purchased
from customers
left join territories on customers.territory_key = territories.territory_key
