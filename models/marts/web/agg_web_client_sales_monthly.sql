{#-
    Sales per client label (unique: namesakes carry their CRM id) x month x product category x territory x sales rep x client type, for the
    web dashboard's client rankings (top 10 clients): the Client column groups clients by label.

    `client_rank` numbers the labels by their positive net sales of all dates, largest first; the
    table is sorted by it, so the rows of a few labels are read without reading the others.
    `customer_key` is the labelled client's key (one per label), for rankings of clients by key (the
    Customer Details page's client table).
    `positive_net_sales_amount` (the sum of the positive net amounts) bounds the sales of any
    subset of the rows from above.
-#}
{{ import_ctes([
    ('order_lines', 'int_order_lines__enriched'),
    ('dates', 'dim_date'),
]) }},

lines as (
    select
        order_lines.customer_label,
        order_lines.customer_key,
        order_lines.category_name,
        order_lines.territory_key,
        order_lines.sales_rep_key,
        order_lines.customer_type,
        order_lines.customer_sales_rep_key,
        order_lines.customer_territory_key,
        dates.month_start_date,
        order_lines.net_sales_amount
    from order_lines
    inner join dates on order_lines.order_date_key = dates.date_key
),

monthly as (
    select
        customer_label,
        customer_key,
        category_name,
        territory_key,
        sales_rep_key,
        customer_type,
        customer_sales_rep_key,
        customer_territory_key,
        month_start_date,
        {{ money('sum(net_sales_amount)') }} as net_sales_amount,
        {{ money('sum(case when net_sales_amount > 0 then net_sales_amount else 0 end)') }}
            as positive_net_sales_amount
    from lines
    group by
        customer_label, customer_key, category_name, territory_key, sales_rep_key, customer_type,
        customer_sales_rep_key, customer_territory_key, month_start_date
),

ranks as (
    select
        customer_label,
        cast(
            row_number() over (order by sum(positive_net_sales_amount) desc, customer_label) as integer
        ) as client_rank
    from monthly
    group by customer_label
)

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
from monthly
inner join ranks on monthly.customer_label = ranks.customer_label
order by ranks.client_rank, monthly.month_start_date
