{#-
    Incremental (macros/incremental.sql): a build re-ranks only the lines with a raw row loaded
    since the previous one (every version of them), deletes their rows and inserts their latest
    version; a full rebuild when the state says so.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ incremental_clear(raw_order_lines_plan(), 'order_line_id', stg_order_lines_changed_ids()) }}",
    post_hook="{{ incremental_save(raw_order_lines_plan()) }}",
) }}
{%- set plan = raw_order_lines_plan() %}

with latest_order_lines as (
    {{ latest_versions('erp', 'order_lines', none if plan.full else plan.since) }}
),

renamed as (
    select
        {{ order_line_id() }} as order_line_id,
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
