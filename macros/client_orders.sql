{#-
    The orders the client analytics count, one rule for fct_customer_activity, fct_customer_rfm,
    fct_customer_at_risk and fct_rep_acquisition_monthly: orders of a known client (not the
    unknown member, -1) placed by the as-of date. `also`: a further condition of the model's own.
-#}
{% macro client_orders(also=none) -%}
    select * from {{ ref('fct_orders') }}
    where {{ also ~ ' and ' if also }}customer_key <> -1 and order_date <= {{ as_of_date() }}
{%- endmacro %}
