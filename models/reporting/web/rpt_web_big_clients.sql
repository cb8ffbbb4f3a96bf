{{ config(alias='web_big_clients') }}
{#- The web dashboard's reading of agg_web_big_clients (see there). -#}
select
    customer_key,
    line_count
from {{ ref('agg_web_big_clients') }}
