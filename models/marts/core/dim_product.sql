{#- Products: category > subcategory > model > product, with launch / discontinued status as of the as-of date. -#}
{{ import_ctes([('products', 'stg_erp__products')]) }},

known as (
    select
        {{ surrogate_key(['sku']) }} as product_key,
        sku,
        product_name,
        model_name,
        color,
        size,
        subcategory_name,
        category_name,
        {{ surrogate_key(['category_name']) }} as category_key,
        list_price,
        standard_cost,
        sell_start_date,
        sell_end_date,
        case
            when sell_start_date > {{ as_of_date() }} then 'Not yet launched'
            when sell_end_date < {{ as_of_date() }} then 'Discontinued'
            else 'Active'
        end as product_status,
        cast(extract(year from sell_start_date) as integer) as launch_year
    from products
),

unknown as (
    select
        -1 as product_key,
        'UNKNOWN' as sku,
        'Unknown product' as product_name,
        'Unknown' as model_name,
        cast(null as {{ dbt.type_string() }}) as color,
        cast(null as {{ dbt.type_string() }}) as size,
        'Unknown' as subcategory_name,
        'Unknown' as category_name,
        -1 as category_key,
        cast(null as decimal(18, 4)) as list_price,
        cast(null as decimal(18, 4)) as standard_cost,
        cast(null as date) as sell_start_date,
        cast(null as date) as sell_end_date,
        'Unknown' as product_status,
        cast(null as integer) as launch_year
)

select * from known
union all
select * from unknown
