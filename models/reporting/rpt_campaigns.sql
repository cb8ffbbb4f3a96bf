{{ config(alias='campaigns') }}
{#- Marketing campaigns. -#}
select
    campaign_key,
    campaign_code,
    campaign_name,
    campaign_type,
    channel,
    start_date,
    end_date,
    duration_days,
    discount_pct,
    target_category,
    is_campaign
from {{ ref('dim_campaign') }}
