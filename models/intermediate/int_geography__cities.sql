{#-
    Every city a customer can be in: the geography extract's cities, plus cities customers live in
    that the extract lacks (or all of them, when no geography is delivered), without coordinates.
-#}
{{ import_ctes([
    ('geography', 'stg_crm__geography'),
    ('customers', 'stg_crm__customers'),
]) }},

customer_cities as (
    select distinct
        country_code,
        city,
        coalesce(state_province, '') as state_province
    from customers
),

missing_cities as (
    select
        customer_cities.city,
        customer_cities.state_province,
        cast(null as {{ dbt.type_string() }}) as state_code,
        customer_cities.country_code,
        customer_cities.country_code as country_name,
        cast(null as {{ dbt.type_string() }}) as territory_code,
        cast(null as decimal(9, 6)) as latitude,
        cast(null as decimal(9, 6)) as longitude
    from customer_cities
    where
        not exists (
            select 1
            from geography
            where
                geography.country_code = customer_cities.country_code
                and lower(geography.city) = lower(customer_cities.city)
                and (
                    customer_cities.state_province = ''
                    or lower(geography.state_province) = lower(customer_cities.state_province)
                )
        )
),

cities as (
    select
        city,
        state_province,
        state_code,
        country_code,
        country_name,
        territory_code,
        latitude,
        longitude
    from geography
    union all
    select * from missing_cities
)

select
    {{ surrogate_key(['country_code', 'state_province', 'city']) }} as geography_key,
    cities.*
from cities
