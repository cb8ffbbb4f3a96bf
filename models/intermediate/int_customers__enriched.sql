{#- Customers with their city (geography), territory, owning rep and order history. -#}
{{ import_ctes([
    ('customers', 'stg_crm__customers'),
    ('cities', 'int_geography__cities'),
    ('reps', 'stg_hr__sales_reps'),
    ('orders', 'int_customer_orders'),
]) }},

located as (
    select
        customers.customer_id,
        cities.geography_key,
        cities.territory_code,
        row_number() over (
            partition by customers.customer_id
            order by cities.state_province, cities.geography_key
        ) as match_rank
    from customers
    inner join cities
        on
            customers.country_code = cities.country_code
            and lower(customers.city) = lower(cities.city)
            and (
                customers.state_province is null
                or lower(customers.state_province) = lower(cities.state_province)
            )
),

enriched as (
    select
        customers.*,
        located.geography_key,
        reps.employee_id as owning_employee_id,
        orders.first_order_date,
        orders.last_order_date,
        orders.first_order_number,
        coalesce(located.territory_code, reps.territory_code) as territory_code,
        coalesce(orders.order_count, 0) as order_count
    from customers
    left join located
        on customers.customer_id = located.customer_id and located.match_rank = 1
    left join reps
        on customers.sales_rep_id = reps.employee_id
    left join orders
        on customers.customer_id = orders.customer_id
)

select * from enriched
