{#- Customers: type, industry, segment, geography, owning rep, first purchase and cohort. -#}
{{ import_ctes([('customers', 'int_customers__enriched')]) }},

known as (
    select
        {{ surrogate_key(['customer_id']) }} as customer_key,
        customer_id,
        customer_name,
        -- namesakes (two clients of one name) stay apart in slicers, drill-through and top-N lists
        case
            when count(*) over (partition by customer_name) > 1
                then {{ dbt.concat(['customer_name', "' ('", 'customer_id', "')'"]) }}
            else customer_name
        end as customer_label,
        customer_type,
        coalesce(industry, case when customer_type = 'Individual' then 'Consumer' else 'Unspecified' end)
            as industry,
        coalesce(segment, 'Unspecified') as segment,
        email,
        city,
        state_province,
        country_code,
        coalesce(geography_key, -1) as geography_key,
        case when territory_code is null then -1 else {{ surrogate_key(['territory_code']) }} end
            as territory_key,
        case when owning_employee_id is null then -1 else {{ surrogate_key(['owning_employee_id']) }} end
            as sales_rep_key,
        created_date,
        first_order_date,
        last_order_date,
        order_count,
        {{ month_start('first_order_date') }} as cohort_month,
        cast(extract(year from first_order_date) as integer) as cohort_year,
        first_order_date is not null as has_purchased
    from customers
),

unknown as (
    select
        -1 as customer_key,
        'UNKNOWN' as customer_id,
        'Unknown customer' as customer_name,
        'Unknown customer' as customer_label,
        'Unknown' as customer_type,
        'Unspecified' as industry,
        'Unspecified' as segment,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as state_province,
        cast(null as {{ dbt.type_string() }}) as country_code,
        -1 as geography_key,
        -1 as territory_key,
        -1 as sales_rep_key,
        cast(null as date) as created_date,
        cast(null as date) as first_order_date,
        cast(null as date) as last_order_date,
        0 as order_count,
        cast(null as date) as cohort_month,
        cast(null as integer) as cohort_year,
        false as has_purchased
)

select * from known
union all
select * from unknown
