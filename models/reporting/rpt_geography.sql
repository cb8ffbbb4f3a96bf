{{ config(alias='geography') }}
{#- Region > country > state > city, with coordinates for maps. -#}
select
    geography_key,
    city,
    state_province,
    state_code,
    country_code,
    country_name,
    territory_code,
    territory_name,
    region_name,
    latitude,
    longitude,
    has_coordinates
from {{ ref('dim_geography') }}
