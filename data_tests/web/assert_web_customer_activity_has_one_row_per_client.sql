{#-
    agg_web_customer_activity counts clients by counting rows: a client must have one row per
    category and one over all categories (fct_sales takes the rep, territory and city from the client).
-#}
select
    customer_key,
    category_name,
    is_all_categories,
    count(*) as occurrences
from {{ ref('agg_web_customer_activity') }}
group by customer_key, category_name, is_all_categories
having count(*) > 1
