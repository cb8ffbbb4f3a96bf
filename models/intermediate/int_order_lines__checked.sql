{#-
    The latest version of every order line, with the first business rule it breaks (if any).
    Lines with a rejection reason go to `rejected_rows`, the others to `fct_sales`.

    A table, incremental like staging (macros/incremental.sql): its readers filter it to a few
    touched lines or clients, which a view could not pass down to staging (the rule checks of all
    10 M lines were computed before the filter, once per reader and data test). A build recomputes
    the lines with a raw row loaded since its last one and those whose as-of check flips; a changed
    order statuses seed rebuilds it in full.
-#}
{%- set digests = checked_order_lines_digests() -%}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ incremental_clear(raw_order_lines_plan(checked_order_lines_digests()), 'order_line_id', "
        ~ "touched_checked_order_line_ids()) }}",
    post_hook="{{ incremental_save(raw_order_lines_plan(checked_order_lines_digests()), "
        ~ "checked_order_lines_digests()) }}",
) }}
{%- set plan = raw_order_lines_plan(digests) %}

with order_lines as (
    select * from {{ ref('stg_erp__order_lines') }}
    where {{ touched_only(plan, 'order_line_id', touched_checked_order_line_ids()) }}
),

statuses as (
    select * from {{ ref('order_statuses') }}
),

checked as (
    select
        order_lines.*,
        statuses.counts_as_sales,
        case
            when statuses.status is null then 'unknown_status'
            when order_lines.quantity <= 0 then 'non_positive_quantity'
            when order_lines.unit_price < 0 then 'negative_unit_price'
            when order_lines.discount_pct < 0 or order_lines.discount_pct >= 1 then 'discount_out_of_range'
            when
                abs(
                    order_lines.extended_amount
                    - round(order_lines.quantity * order_lines.unit_price * (1 - order_lines.discount_pct), 2)
                ) > 0.01
                then 'extended_amount_mismatch'
            when order_lines.order_date > {{ as_of_date() }} then 'after_as_of_date'
            when order_lines.due_date < order_lines.order_date then 'due_before_order_date'
        end as rejection_reason
    from order_lines
    left join statuses
        on order_lines.order_status = statuses.status
)

select * from checked
