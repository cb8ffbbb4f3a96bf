{#- What this model computes and its rules: its description in _marketing__models.yml (dbt docs). -#}
{#-
    The in-scope daily measures come from agg_web_sales_daily (kept up to date by delta, so a
    refresh does not scan the order lines): its per-category rows, and its all-categories rows
    for a campaign without a target category and for the code redemptions. Its order counts add
    up over the other slices (campaign, territory, rep, client type) because an order has one date,
    client and campaign (agg_web_sales_checks); lines that do not count as sales carry no units or
    sales and no order.
-#}
with campaigns as (
    select * from {{ ref('dim_campaign') }}
    where is_campaign and start_date <= {{ as_of_date() }}
),

daily_sales as (
    select * from {{ ref('agg_web_sales_daily') }}
    where order_date <= {{ as_of_date() }}
),

orders as (
    select * from {{ ref('fct_orders') }}
    where order_date <= {{ as_of_date() }}
),

data_start as (
    select min(order_date) as first_sales_date from orders
),

daily_scope as (
    -- Daily in-scope measures: per category, and for all categories together.
    select
        order_date,
        case when is_all_categories then 'All categories' else category_name end as scope_name,
        sum(order_count) as orders,
        sum(sales_quantity) as units,
        {{ money('sum(net_sales_amount)') }} as net_sales_amount
    from daily_sales
    group by order_date, is_all_categories, category_name
),

windows as (
    select
        campaigns.campaign_key,
        campaigns.start_date,
        campaigns.end_date,
        campaigns.target_category as scope_name,
        data_start.first_sales_date,
        case when campaigns.end_date > {{ as_of_date() }} then {{ as_of_date() }} else campaigns.end_date end
            as window_end_date
    from campaigns
    cross join data_start
),

dated as (
    select
        windows.*,
        {{ days_between('start_date', 'window_end_date', both_ends=true) }} as window_days,
        cast({{ dbt.dateadd('day', -364, 'start_date') }} as date) as last_year_start_date,
        cast({{ dbt.dateadd('day', -364, 'window_end_date') }} as date) as last_year_end_date,
        cast({{ dbt.dateadd('day', -1, 'start_date') }} as date) as day_before_start_date,
        cast({{ dbt.dateadd('day', 1, 'window_end_date') }} as date) as day_after_end_date,
        cast({{ dbt.dateadd('day', 364, 'first_sales_date') }} as date) as first_comparable_date,
        cast({{ dbt.dateadd('day', -91, 'start_date') }} as date) as growth_window_start_date
    from windows
),

bounded as (
    select
        dated.*,
        case
            when dated.growth_window_start_date > dated.first_comparable_date then dated.growth_window_start_date
            else dated.first_comparable_date
        end as growth_start_date,
        case
            when
                {{ dbt.dateadd('day', '-window_days', 'start_date') }} > dated.first_sales_date
                then cast({{ dbt.dateadd('day', '-window_days', 'start_date') }} as date)
            else dated.first_sales_date
        end as before_start_date,
        case
            when
                {{ dbt.dateadd('day', 'window_days', 'window_end_date') }} < {{ as_of_date() }}
                then cast({{ dbt.dateadd('day', 'window_days', 'window_end_date') }} as date)
            else {{ as_of_date() }}
        end as after_end_date
    from dated
),

methods as (
    select
        bounded.*,
        {{ days_between('growth_start_date', 'start_date') }} as growth_days,
        {{ days_between('before_start_date', 'start_date') }} as before_days,
        case
            when bounded.after_end_date >= bounded.day_after_end_date
                then {{ days_between('day_after_end_date', 'after_end_date', both_ends=true) }}
            else 0
        end as after_days
    from bounded
),

chosen as (
    select
        methods.*,
        case
            when methods.last_year_start_date >= methods.first_sales_date and methods.growth_days >= 28
                then 'same weeks last year, growth-adjusted'
            when methods.last_year_start_date >= methods.first_sales_date then 'same weeks last year'
            when methods.before_days + methods.after_days >= 7 then 'weeks around the campaign'
            else 'none'
        end as baseline_method
    from methods
),

periods as (
    select
        campaign_key,
        scope_name,
        'campaign' as period_name,
        start_date as period_start_date,
        window_end_date as period_end_date
    from chosen
    union all
    select
        campaign_key,
        scope_name,
        'baseline' as period_name,
        case
            when baseline_method like 'same weeks last year%' then last_year_start_date else before_start_date
        end as period_start_date,
        case
            when baseline_method like 'same weeks last year%' then last_year_end_date else day_before_start_date
        end as period_end_date
    from chosen
    where baseline_method <> 'none'
    union all
    select
        campaign_key,
        scope_name,
        'baseline' as period_name,
        day_after_end_date as period_start_date,
        after_end_date as period_end_date
    from chosen
    where baseline_method = 'weeks around the campaign' and after_days > 0
    union all
    select
        campaign_key,
        scope_name,
        'growth_recent' as period_name,
        growth_start_date as period_start_date,
        day_before_start_date as period_end_date
    from chosen
    where baseline_method = 'same weeks last year, growth-adjusted'
    union all
    select
        campaign_key,
        scope_name,
        'growth_prior' as period_name,
        cast({{ dbt.dateadd('day', -364, 'growth_start_date') }} as date) as period_start_date,
        cast({{ dbt.dateadd('day', -364, 'day_before_start_date') }} as date) as period_end_date
    from chosen
    where baseline_method = 'same weeks last year, growth-adjusted'
),

period_measures as (
    select
        periods.campaign_key,
        periods.period_name,
        min(periods.period_start_date) as period_start_date,
        max(periods.period_end_date) as period_end_date,
        coalesce(sum(daily_scope.orders), 0) as orders,
        coalesce(sum(daily_scope.units), 0) as units,
        {{ money('coalesce(sum(daily_scope.net_sales_amount), 0)') }} as net_sales_amount
    from periods
    left join daily_scope
        on
            periods.scope_name = daily_scope.scope_name
            and daily_scope.order_date between periods.period_start_date and periods.period_end_date
    group by periods.campaign_key, periods.period_name
),

pivoted as (
    select
        campaign_key,
        max(case when period_name = 'campaign' then orders end) as window_orders,
        max(case when period_name = 'campaign' then units end) as window_units,
        max(case when period_name = 'campaign' then net_sales_amount end) as window_net_sales_amount,
        max(case when period_name = 'baseline' then period_start_date end) as baseline_start_date,
        max(case when period_name = 'baseline' then period_end_date end) as baseline_end_date,
        max(case when period_name = 'baseline' then orders end) as baseline_orders,
        max(case when period_name = 'baseline' then net_sales_amount end) as baseline_net_sales_amount,
        coalesce(max(case when period_name = 'growth_recent' then orders end), 1) as growth_recent_orders,
        coalesce(max(case when period_name = 'growth_prior' then orders end), 1) as growth_prior_orders,
        {{ money("coalesce(max(case when period_name = 'growth_recent' then net_sales_amount end), 1)") }}
            as growth_recent_net_sales_amount,
        {{ money("coalesce(max(case when period_name = 'growth_prior' then net_sales_amount end), 1)") }}
            as growth_prior_net_sales_amount
    from period_measures
    group by campaign_key
),

new_clients as (
    select
        chosen.campaign_key,
        count(orders.order_key) as new_clients
    from chosen
    left join orders
        on
            orders.is_first_order
            and orders.customer_key <> -1
            and orders.order_date between chosen.start_date and chosen.window_end_date
    group by chosen.campaign_key
),

redeemed as (
    select
        campaign_key,
        sum(order_count) as redeemed_orders,
        {{ money('sum(net_sales_amount)') }} as redeemed_net_sales_amount
    from daily_sales
    where is_all_categories
    group by campaign_key
),

measured as (
    select
        chosen.scope_name,
        chosen.window_end_date,
        chosen.end_date <= {{ as_of_date() }} as is_window_complete,
        chosen.window_days,
        chosen.baseline_method,
        case
            when chosen.baseline_method like 'same weeks last year%' then chosen.window_days
            when chosen.baseline_method = 'weeks around the campaign' then chosen.before_days + chosen.after_days
        end as baseline_days,
        pivoted.*,
        coalesce(new_clients.new_clients, 0) as new_clients,
        coalesce(redeemed.redeemed_orders, 0) as redeemed_orders,
        {{ money('coalesce(redeemed.redeemed_net_sales_amount, 0)') }} as redeemed_net_sales_amount
    from chosen
    inner join pivoted on chosen.campaign_key = pivoted.campaign_key
    left join new_clients on chosen.campaign_key = new_clients.campaign_key
    left join redeemed on chosen.campaign_key = redeemed.campaign_key
),


uplifted as (
    -- Expected (baseline) = baseline x window days / baseline days x recent growth / prior growth.
    select
        measured.*,
        case
            when measured.baseline_days > 0 and measured.growth_prior_orders > 0
                then {{ exact_ratio(
                    'baseline_orders * window_days * growth_recent_orders',
                    'baseline_days * growth_prior_orders'
                ) }}
        end as expected_orders,
        case
            when measured.baseline_days > 0 and measured.growth_prior_net_sales_amount > 0
                then {{ money(exact_ratio(
                    wide_money('cast(baseline_net_sales_amount as decimal(38, 4)) * window_days * growth_recent_net_sales_amount'),
                    wide_money('cast(baseline_days as decimal(38, 4)) * growth_prior_net_sales_amount')
                )) }}
        end as expected_net_sales_amount,
        case
            when measured.baseline_orders > 0 and measured.growth_recent_orders > 0
                then {{ exact_ratio(
                    'window_orders * baseline_days * growth_prior_orders',
                    'baseline_orders * window_days * growth_recent_orders'
                ) }}
        end as order_uplift,
        case
            when measured.baseline_net_sales_amount > 0 and measured.growth_recent_net_sales_amount > 0
                then {{ exact_ratio(
                    wide_money('cast(window_net_sales_amount as decimal(38, 4)) * baseline_days * growth_prior_net_sales_amount'),
                    wide_money('cast(baseline_net_sales_amount as decimal(38, 4)) * window_days * growth_recent_net_sales_amount')
                ) }}
        end as sales_uplift,
        case
            when measured.baseline_method = 'same weeks last year, growth-adjusted' and measured.growth_prior_orders > 0
                then {{ exact_ratio('growth_recent_orders', 'growth_prior_orders') }}
        end as order_growth_factor,
        case
            when measured.baseline_method = 'same weeks last year, growth-adjusted'
                and measured.growth_prior_net_sales_amount > 0
                then {{ exact_ratio('growth_recent_net_sales_amount', 'growth_prior_net_sales_amount') }}
        end as sales_growth_factor
    from measured
)

select
    campaign_key,
    scope_name as target_category,
    window_end_date,
    is_window_complete,
    window_days,
    cast(window_orders as integer) as orders,
    cast(window_units as integer) as units,
    {{ money('window_net_sales_amount') }} as net_sales_amount,
    cast(new_clients as integer) as new_clients,
    cast(redeemed_orders as integer) as redeemed_orders,
    redeemed_net_sales_amount,
    baseline_method,
    baseline_start_date,
    baseline_end_date,
    cast(baseline_days as integer) as baseline_days,
    cast(baseline_orders as integer) as baseline_orders,
    {{ money('baseline_net_sales_amount') }} as baseline_net_sales_amount,
    {{ ratio('order_growth_factor') }} as order_growth_factor,
    {{ ratio('sales_growth_factor') }} as sales_growth_factor,
    {{ ratio('expected_orders') }} as expected_orders,
    {{ money('expected_net_sales_amount') }} as expected_net_sales_amount,
    {{ ratio('window_orders - expected_orders') }} as incremental_orders,
    {{ money('window_net_sales_amount - expected_net_sales_amount') }} as incremental_net_sales_amount,
    {{ ratio('order_uplift') }} as order_uplift,
    {{ ratio('sales_uplift') }} as sales_uplift
from uplifted
