{#-
    Upper bounds of every client label's sales (the positive net amounts of all dates) per product
    category, territory, sales rep and client type: the web dashboard ranks clients (top 10) from
    these bounds and computes exact sales for the few labels that can make the ranking only
    (from agg_web_client_sales_monthly, by `client_rank`).
-#}
{%- set groups = [
    'client_rank', 'customer_label', 'category_name', 'territory_key', 'sales_rep_key',
    'customer_type', 'customer_sales_rep_key', 'customer_territory_key',
] %}

select
    {%- for column in groups %}
        {{ column }},
    {%- endfor %}
    {{ money('sum(positive_net_sales_amount)') }} as positive_net_sales_amount
from {{ ref('agg_web_client_sales_monthly') }}
group by {{ groups | join(', ') }}
order by client_rank
