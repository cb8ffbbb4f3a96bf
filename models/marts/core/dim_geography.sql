{#- City-level geography: region > country > state/province > city, with coordinates. -#}
{{ import_ctes([
    ('cities', 'int_geography__cities'),
    ('territories', 'stg_crm__territories'),
]) }},

known as (
    select
        cities.geography_key,
        cities.city,
        nullif(cities.state_province, '') as state_province,
        cities.state_code,
        cities.country_code,
        cities.country_name,
        coalesce(territories.territory_code, 'UNASSIGNED') as territory_code,
        coalesce(territories.territory_name, 'Unassigned') as territory_name,
        coalesce(territories.region_name, 'Unassigned') as region_name,
        cities.latitude,
        cities.longitude,
        cities.latitude is not null and cities.longitude is not null as has_coordinates
    from cities
    left join territories
        on cities.territory_code = territories.territory_code
),

unknown as (
    select
        -1 as geography_key,
        'Unknown' as city,
        cast(null as {{ dbt.type_string() }}) as state_province,
        cast(null as {{ dbt.type_string() }}) as state_code,
        '??' as country_code,
        'Unknown' as country_name,
        'UNASSIGNED' as territory_code,
        'Unassigned' as territory_name,
        'Unassigned' as region_name,
        cast(null as decimal(9, 6)) as latitude,
        cast(null as decimal(9, 6)) as longitude,
        false as has_coordinates
)

select * from known
union all
select * from unknown
