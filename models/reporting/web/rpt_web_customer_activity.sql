{{ config(alias='web_customer_activity') }}
{#- The web dashboard's reading of agg_web_customer_activity (see there). -#}
select
    customer_key,
    is_all_categories,
    category_name,
    sales_rep_key,
    territory_key,
    geography_key,
    customer_label,
    customer_type,
    industry,
    customer_sales_rep_key,
    customer_territory_key,
    active_months_0,
    active_months_1
from {{ ref('agg_web_customer_activity') }}
