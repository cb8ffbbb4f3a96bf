with latest_products as (
    {{ latest_versions('erp', 'products') }}
),

renamed as (
    select
        trim(sku) as sku,
        trim(product_name) as product_name,
        coalesce(nullif(trim(model), ''), trim(product_name)) as model_name,
        nullif(trim(color), '') as color,
        nullif(trim(size), '') as size,
        trim(subcategory) as subcategory_name,
        trim(category) as category_name,
        cast(list_price as decimal(18, 4)) as list_price,
        cast(standard_cost as decimal(18, 4)) as standard_cost,
        sell_start_date,
        sell_end_date
    from latest_products
)

select * from renamed
