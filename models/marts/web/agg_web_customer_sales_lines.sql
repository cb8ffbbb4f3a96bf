{#-
    The order lines of the clients with many of them (agg_web_big_clients), sorted by client: the
    web dashboard's client page reads such a client's lines without scanning every line (fct_sales
    is in date order, so a big client's lines are spread over all of it). A client with fewer lines
    is read from fct_sales: its few lines cost little there. Client attributes are joined when read
    (one client: one row).
-#}
{#-
    Incremental (macros/incremental.sql): the pre-hook deletes the lines of the touched clients and
    of the clients no longer big; the clients of agg_web_big_clients left without lines here (those
    and the newly big ones) get all their lines again.
-#}
{%- set plan = incremental_config('customer_key', 'touched_big_client_keys', upstream=['fct_sales']) %}

{{ import_ctes([
    ('sales', 'fct_sales'),
]) }},

big_clients as (
    select * from {{ ref('agg_web_big_clients') }}
)

select
    sales.customer_key,
    sales.order_date,
    sales.order_date_key,
    sales.order_number,
    sales.line_number,
    sales.product_key,
    sales.sales_rep_key,
    sales.geography_key,
    sales.territory_key,
    sales.campaign_key,
    sales.order_status,
    sales.counts_as_sales,
    sales.customer_order_type,
    sales.sales_quantity,
    sales.net_sales_amount,
    sales.margin_amount,
    sales.cancelled_amount
from sales
inner join big_clients on sales.customer_key = big_clients.customer_key
where not ({{ touched_only(plan, 'sales.customer_key', 'select customer_key from ' ~ this) }})
order by sales.customer_key, sales.order_date
