{{ config(alias='campaign_effectiveness') }}
{#- Campaign effectiveness with the campaign's attributes (rules in fct_campaign_effectiveness). -#}
{{ import_ctes([
    ('effectiveness', 'fct_campaign_effectiveness'),
    ('campaigns', 'dim_campaign'),
]) }}

select
    effectiveness.campaign_key,
    campaigns.campaign_code,
    campaigns.campaign_name,
    campaigns.campaign_type,
    campaigns.channel,
    campaigns.start_date,
    campaigns.end_date,
    campaigns.discount_pct,
    effectiveness.target_category,
    effectiveness.window_end_date,
    effectiveness.is_window_complete,
    effectiveness.window_days,
    effectiveness.net_sales_amount,
    effectiveness.orders,
    effectiveness.units,
    effectiveness.new_clients,
    effectiveness.redeemed_orders,
    effectiveness.redeemed_net_sales_amount,
    effectiveness.baseline_method,
    effectiveness.baseline_start_date,
    effectiveness.baseline_end_date,
    effectiveness.baseline_days,
    effectiveness.baseline_orders,
    effectiveness.baseline_net_sales_amount,
    effectiveness.order_growth_factor,
    effectiveness.sales_growth_factor,
    effectiveness.expected_orders,
    effectiveness.expected_net_sales_amount,
    effectiveness.incremental_orders,
    effectiveness.incremental_net_sales_amount,
    effectiveness.order_uplift,
    effectiveness.sales_uplift
from effectiveness
inner join campaigns on effectiveness.campaign_key = campaigns.campaign_key
