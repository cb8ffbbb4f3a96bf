{{ config(materialized='table') }}
with latest_order_lines as (
    {{ latest_versions('erp', 'order_lines') }}
),

renamed as (
    select
        order_number || '-' || cast(line_number as {{ dbt.type_string() }}) as order_line_id,
        order_number,
        cast(line_number as integer) as line_number,
        order_date,
        due_date,
        ship_date,
        lower(trim(status)) as order_status,
        trim(customer_id) as customer_id,
        trim(sku) as sku,
        nullif(trim(campaign_code), '') as campaign_code,
        cast(quantity as integer) as quantity,
        cast(unit_price as decimal(18, 4)) as unit_price,
        cast(discount_pct as decimal(18, 4)) as discount_pct,
        cast(extended_amount as decimal(18, 4)) as extended_amount,
        cast(standard_cost as decimal(18, 4)) as unit_standard_cost,
        last_modified_at,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at
    from latest_order_lines
)

select * from renamed
