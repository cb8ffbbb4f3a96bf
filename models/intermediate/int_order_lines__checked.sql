{#-
    The latest version of every order line, with the first business rule it breaks (if any).
    Lines with a rejection reason go to `rejected_rows`, the others to `fct_sales`.
-#}
{{ import_ctes([
    ('order_lines', 'stg_erp__order_lines'),
    ('statuses', 'order_statuses'),
]) }},

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
