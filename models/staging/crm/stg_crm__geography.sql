with latest_geography as (
    {{ latest_versions('crm', 'geography') }}
),

renamed as (
    select
        trim(city) as city,
        trim(state_province) as state_province,
        nullif(trim(state_code), '') as state_code,
        upper(trim(country_code)) as country_code,
        trim(country_name) as country_name,
        nullif(trim(territory_code), '') as territory_code,
        cast(latitude as decimal(9, 6)) as latitude,
        cast(longitude as decimal(9, 6)) as longitude
    from latest_geography
)

select * from renamed
