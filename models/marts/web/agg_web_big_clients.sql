{#-
    The clients with more than `web_client_lines_min` order lines (a dbt var, 200 by default):
    agg_web_customer_sales_lines holds their lines, sorted by client.
-#}
select
    customer_key,
    cast(count(*) as bigint) as line_count
from {{ ref('fct_sales') }}
group by customer_key
having count(*) > {{ var('web_client_lines_min', 200) }}
