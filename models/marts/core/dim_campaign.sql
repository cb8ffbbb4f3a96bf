{#- Marketing campaigns, plus the "No campaign" member for orders that used none. -#}
{{ import_ctes([('campaigns', 'stg_marketing__campaigns')]) }},

known as (
    select
        {{ surrogate_key(['campaign_code']) }} as campaign_key,
        campaign_code,
        campaign_name,
        campaign_type,
        channel,
        start_date,
        end_date,
        {{ days_between('start_date', 'end_date', both_ends=true) }} as duration_days,
        discount_pct,
        coalesce(target_category, 'All categories') as target_category,
        true as is_campaign
    from campaigns
),

no_campaign as (
    select
        -1 as campaign_key,
        'NONE' as campaign_code,
        'No campaign' as campaign_name,
        'No campaign' as campaign_type,
        'None' as channel,
        cast(null as date) as start_date,
        cast(null as date) as end_date,
        cast(null as integer) as duration_days,
        cast(null as decimal(18, 4)) as discount_pct,
        'All categories' as target_category,
        false as is_campaign
)

select * from known
union all
select * from no_campaign
