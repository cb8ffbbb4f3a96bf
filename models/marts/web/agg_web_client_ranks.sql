{#-
    The rank of every client label (unique: namesakes carry their CRM id) by its positive net sales
    of all dates, largest first, ties by label: the order agg_web_client_sales_monthly is sorted in
    and the key the web dashboard reads a ranking's candidates by (see there).

    Rebuilt every time (a delivery can shift every label's rank) from the groups of
    agg_web_client_sales_monthly_unranked, which are incremental by client: ranking them costs a
    fraction of grouping the order lines again. agg_web_client_sales_monthly and agg_web_client_sales
    both join these ranks, so they build side by side.
-#}
with label_totals as (
    select
        customer_label,
        sum(positive_net_sales_amount) as positive_net_sales_amount
    from {{ ref('agg_web_client_sales_monthly_unranked') }}
    group by customer_label
)

select
    customer_label,
    cast(
        row_number() over (order by positive_net_sales_amount desc, customer_label asc) as integer
    ) as client_rank
from label_totals
