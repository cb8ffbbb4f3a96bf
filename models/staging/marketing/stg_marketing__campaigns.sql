with latest_campaigns as (
    {{ latest_versions('marketing', 'campaigns') }}
),

renamed as (
    select
        start_date,
        end_date,
        cast(discount_pct as decimal(18, 4)) as discount_pct,
        trim(campaign_code) as campaign_code,
        trim(campaign_name) as campaign_name,
        trim(campaign_type) as campaign_type,
        trim(channel) as channel,
        nullif(trim(target_category), '') as target_category
    from latest_campaigns
)

select
    campaign_code,
    campaign_name,
    campaign_type,
    channel,
    start_date,
    end_date,
    discount_pct,
    target_category
from renamed
