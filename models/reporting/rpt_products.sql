{{ config(alias='products') }}
{#- Products: category > subcategory > model > product. -#}
select
    product_key,
    sku,
    product_name,
    model_name,
    color,
    size,
    subcategory_name,
    category_name,
    category_key,
    list_price,
    standard_cost,
    sell_start_date,
    sell_end_date,
    product_status,
    launch_year
from {{ ref('dim_product') }}
