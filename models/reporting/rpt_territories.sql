{{ config(alias='territories') }}
{#- Sales territories; the budget's territory grain. -#}
select
    territory_key,
    territory_code,
    territory_name,
    region_name,
    country_code
from {{ ref('dim_territory') }}
