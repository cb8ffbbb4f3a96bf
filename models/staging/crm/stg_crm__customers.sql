with latest_customers as (
    {{ latest_versions('crm', 'customers') }}
),

renamed as (
    select
        trim(customer_id) as customer_id,
        trim(customer_name) as customer_name,
        trim(customer_type) as customer_type,
        nullif(trim(industry), '') as industry,
        nullif(trim(segment), '') as segment,
        nullif(lower(trim(email)), '') as email,
        nullif(trim(address_line), '') as address_line,
        nullif(trim(postal_code), '') as postal_code,
        trim(city) as city,
        nullif(trim(state_province), '') as state_province,
        upper(trim(country_code)) as country_code,
        created_date,
        nullif(trim(sales_rep_id), '') as sales_rep_id
    from latest_customers
)

select * from renamed
