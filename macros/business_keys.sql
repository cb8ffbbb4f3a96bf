{#-
    An order line's business key: its order number and line number, as `SO43697-1`. Staging gives
    it to every line (order_line_id); the change set, the rejected rows, the incremental hooks and
    the reconciliation tests build it from raw rows' columns with this macro, so they all agree.
-#}
{% macro order_line_id(order_number='order_number', line_number='line_number') -%}
    {{ order_number }} || '-' || cast({{ line_number }} as {{ dbt.type_string() }})
{%- endmacro %}
