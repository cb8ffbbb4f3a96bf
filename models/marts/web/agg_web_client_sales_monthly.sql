{#-
    Sales per client label (unique: namesakes carry their CRM id) x month x product category x territory x sales rep x client type, for the
    web dashboard's client rankings (top 10 clients): the Client column groups clients by label.

    `client_rank` numbers the labels by their positive net sales of all dates, largest first
    (agg_web_client_ranks); the table is sorted by it, so the rows of a few labels are read without
    reading the others.
    `customer_key` is the labelled client's key (one per label), for rankings of clients by key (the
    Customer Details page's client table).
    `positive_net_sales_amount` (the sum of the positive net amounts) bounds the sales of any
    subset of the rows from above.

    The groups come from agg_web_client_sales_monthly_unranked (incremental by client); sorting them
    by the ranks is what is rebuilt every time.
-#}
select
    ranks.client_rank,
    monthly.customer_label,
    monthly.customer_key,
    monthly.category_name,
    monthly.territory_key,
    monthly.sales_rep_key,
    monthly.customer_type,
    monthly.customer_sales_rep_key,
    monthly.customer_territory_key,
    monthly.month_start_date,
    monthly.net_sales_amount,
    monthly.positive_net_sales_amount
from {{ ref('agg_web_client_sales_monthly_unranked') }} as monthly
inner join {{ ref('agg_web_client_ranks') }} as ranks on monthly.customer_label = ranks.customer_label
order by ranks.client_rank, monthly.month_start_date
