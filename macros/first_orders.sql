{#-
    The first order of each customer: the lowest order number on the customer's earliest order
    date, among `lines` (a CTE of order lines that count as sales: customer_id, order_number,
    order_date), with `first_dates` (a CTE of customer_id and first_order_date from those lines).
    The rule that makes a line New or Returning: int_customer_orders applies it to build the first
    orders, and the change set (int_order_lines__changes) applies it again to find the customers
    whose first order changed, so it is said once here.
-#}
{% macro first_order_numbers(lines, first_dates) -%}
    select
        {{ lines }}.customer_id,
        min({{ lines }}.order_number) as first_order_number
    from {{ lines }}
    inner join {{ first_dates }}
        on
            {{ lines }}.customer_id = {{ first_dates }}.customer_id
            and {{ lines }}.order_date = {{ first_dates }}.first_order_date
    group by {{ lines }}.customer_id
{%- endmacro %}
