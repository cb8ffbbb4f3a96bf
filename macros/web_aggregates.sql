{#-
    The web aggregates' (models/marts/web) shared declarations, said once here.
-#}

{#-
    The measure columns of an aggregate of the order lines, in its final select: sums of fct_sales'
    measure columns, typed as there. Sums add up to any coarser group, so every web aggregate
    carries them alike.
-#}
{% macro web_sums() -%}
    {{ money('sum(net_sales_amount)') }} as net_sales_amount,
    cast(sum(sales_quantity) as bigint) as sales_quantity,
    {{ money('sum(margin_amount)') }} as margin_amount,
    {{ money('sum(cancelled_amount)') }} as cancelled_amount
{%- endmacro %}
