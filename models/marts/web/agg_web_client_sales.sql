{#-
    Upper bounds of every client label's sales (the positive net amounts of all dates) per product
    category, territory, sales rep and client type: the web dashboard ranks clients (top 10) from
    these bounds and computes exact sales for the few labels that can make the ranking only
    (from agg_web_client_sales_monthly, by `client_rank`).

    Grouped from agg_web_client_sales_monthly_unranked and ranked by agg_web_client_ranks, as
    agg_web_client_sales_monthly is: the two build side by side.
-#}
{%- set groups = [
    'customer_label', 'category_name', 'territory_key', 'sales_rep_key',
    'customer_type', 'customer_sales_rep_key', 'customer_territory_key',
] %}

with bounds as (
    select
        {%- for column in groups %}
            {{ column }},
        {%- endfor %}
        {{ money('sum(positive_net_sales_amount)') }} as positive_net_sales_amount
    from {{ ref('agg_web_client_sales_monthly_unranked') }}
    group by {{ groups | join(', ') }}
)

select
    ranks.client_rank,
    {%- for column in groups %}
        bounds.{{ column }},
    {%- endfor %}
    bounds.positive_net_sales_amount
from bounds
inner join {{ ref('agg_web_client_ranks') }} as ranks on bounds.customer_label = ranks.customer_label
order by ranks.client_rank
