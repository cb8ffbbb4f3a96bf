{#- What this model computes and its rules: its description in _customers__models.yml (dbt docs). -#}
with orders as (
    {{ client_orders() }}
),

recent_window as (
    select
        cast(
            {{ dbt.dateadd(
                'month',
                1 - var('at_risk_recent_months'),
                dbt.date_trunc('month', as_of_date())
            ) }} as date
        ) as recent_start_date
),

history_limit as (
    select
        recent_start_date,
        cast(
            {{ dbt.dateadd('month', -1 * var('at_risk_min_history_months'), 'recent_start_date') }} as date
        ) as latest_first_order_date
    from recent_window
),

customers as (
    select
        orders.customer_key,
        max(history_limit.recent_start_date) as recent_start_date,
        max(history_limit.latest_first_order_date) as latest_first_order_date,
        min(orders.order_date) as first_order_date,
        max(orders.order_date) as last_order_date,
        sum(case when orders.order_date < history_limit.recent_start_date then 1 else 0 end) as earlier_orders,
        max(case when orders.order_date < history_limit.recent_start_date then orders.order_date end)
            as last_earlier_order_date,
        {{ money('sum(case when orders.order_date < history_limit.recent_start_date '
            ~ 'then orders.net_sales_amount else 0 end)') }} as earlier_net_sales_amount,
        sum(case when orders.order_date >= history_limit.recent_start_date then 1 else 0 end) as recent_orders,
        {{ money('sum(case when orders.order_date >= history_limit.recent_start_date '
            ~ 'then orders.net_sales_amount else 0 end)') }} as recent_net_sales_amount
    from orders
    cross join history_limit
    group by orders.customer_key
),

measured as (
    select
        customers.*,
        {{ days_between('last_order_date', as_of_date()) }} as days_since_last_order,
        {{ days_between('first_order_date', 'last_earlier_order_date') }} as earlier_span_days,
        {{ months_between(month_start('first_order_date'), 'recent_start_date') }} as earlier_months,
        customers.earlier_orders >= {{ var('at_risk_min_orders') }}
        and customers.first_order_date < customers.latest_first_order_date as is_evaluated
    from customers
),

ruled as (
    select
        measured.*,
        measured.is_evaluated
        and measured.days_since_last_order >= {{ var('at_risk_min_gap_days') }}
        and measured.days_since_last_order * (measured.earlier_orders - 1)
        >= {{ var('at_risk_gap_multiple') }} * measured.earlier_span_days as is_gone_quiet,
        measured.is_evaluated
        and measured.recent_net_sales_amount * measured.earlier_months
        < {{ var('at_risk_decline_ratio') }} * {{ var('at_risk_recent_months') }} * measured.earlier_net_sales_amount
        and measured.days_since_last_order * (measured.earlier_orders - 1)
        >= {{ var('at_risk_decline_gap_multiple') }} * measured.earlier_span_days as is_buying_less
    from measured
),

described as (
    select
        ruled.*,
        case
            when
                ruled.is_evaluated and ruled.earlier_orders > 1
                then {{ exact_ratio('earlier_span_days', 'earlier_orders - 1') }}
        end as usual_order_interval_days,
        case
            when ruled.is_evaluated and ruled.earlier_net_sales_amount > 0
                then {{ exact_ratio(
                    'recent_net_sales_amount * earlier_months',
                    var('at_risk_recent_months') ~ ' * earlier_net_sales_amount'
                ) }}
        end as sales_trend_ratio
    from ruled
)

select
    customer_key,
    first_order_date,
    last_order_date,
    days_since_last_order,
    recent_start_date as recent_window_start_date,
    cast(earlier_orders as integer) as earlier_orders,
    cast(recent_orders as integer) as recent_orders,
    earlier_net_sales_amount,
    recent_net_sales_amount,
    {{ money(
        'case when earlier_months > 0 then '
        ~ exact_ratio('earlier_net_sales_amount', 'earlier_months') ~ ' end'
    ) }} as earlier_monthly_sales_amount,
    {{ money(exact_ratio('recent_net_sales_amount', var('at_risk_recent_months'))) }} as recent_monthly_sales_amount,
    {{ ratio('usual_order_interval_days') }} as usual_order_interval_days,
    {{ ratio('sales_trend_ratio') }} as sales_trend_ratio,
    is_evaluated,
    is_gone_quiet or is_buying_less as is_at_risk,
    is_gone_quiet,
    is_buying_less,
    case
        when is_gone_quiet and is_buying_less then 'gone quiet and buying less'
        when is_gone_quiet then 'gone quiet'
        when is_buying_less then 'buying less'
    end as at_risk_rule,
    case
        when is_gone_quiet or is_buying_less
            then
                'No order for ' || cast(days_since_last_order as {{ dbt.type_string() }})
                || ' days (usually one every '
                || cast(cast(round(usual_order_interval_days, 1) as decimal(18, 1)) as {{ dbt.type_string() }})
                || ' days); sales in the last {{ var("at_risk_recent_months") }} months at '
                || cast(
                    cast(round(coalesce(sales_trend_ratio, 0) * 100, 0) as integer) as {{ dbt.type_string() }}
                )
                || ' % of their earlier monthly average'
    end as at_risk_reason,
    {{ money(
        'case when (is_gone_quiet or is_buying_less) and earlier_months > 0 then '
        ~ exact_ratio('earlier_net_sales_amount * 12', 'earlier_months') ~ ' end'
    ) }} as annual_sales_at_risk_amount
from described
