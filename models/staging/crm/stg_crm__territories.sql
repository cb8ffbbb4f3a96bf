with latest_territories as (
    {{ latest_versions('crm', 'territories') }}
),

renamed as (
    select
        trim(territory_code) as territory_code,
        trim(territory_name) as territory_name,
        trim(region) as region_name,
        upper(trim(country_code)) as country_code
    from latest_territories
)

select * from renamed
