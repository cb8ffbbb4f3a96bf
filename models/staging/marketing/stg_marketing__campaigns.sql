with latest_campaigns as (
    {{ latest_versions('marketing', 'campaigns') }}
),

renamed as (
    select
        trim(campaign_code) as campaign_code,
        trim(campaign_name) as campaign_name,
        trim(campaign_type) as campaign_type,
        trim(channel) as channel,
        start_date,
        end_date,
        cast(discount_pct as decimal(18, 4)) as discount_pct,
        nullif(trim(target_category), '') as target_category
    from latest_campaigns
)

select * from renamed
