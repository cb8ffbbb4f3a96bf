{#- What this model computes and its rules: its description in _customers__models.yml (dbt docs). -#}
with orders as (
    {{ client_orders() }}
),

lookback as (
    select cast({{ dbt.dateadd('month', -1 * var('rfm_lookback_months'), as_of_date()) }} as date)
        as lookback_start_date
),

customers as (
    select
        orders.customer_key,
        min(orders.order_date) as first_order_date,
        max(orders.order_date) as last_order_date,
        count(*) as lifetime_orders,
        {{ money('sum(orders.net_sales_amount)') }} as lifetime_net_sales_amount,
        sum(case when orders.order_date > lookback.lookback_start_date then 1 else 0 end) as frequency_orders,
        {{ money('sum(case when orders.order_date > lookback.lookback_start_date '
            ~ 'then orders.net_sales_amount else 0 end)') }} as monetary_amount
    from orders
    cross join lookback
    group by orders.customer_key
),

measured as (
    select
        customers.*,
        {{ days_between('last_order_date', as_of_date()) }} as recency_days,
        {{ days_between('first_order_date', as_of_date()) }} as days_since_first_order
    from customers
),

ranked as (
    select
        measured.*,
        rank() over (order by measured.recency_days desc) as recency_rank,
        rank() over (order by measured.frequency_orders) as frequency_rank,
        rank() over (order by measured.monetary_amount) as monetary_rank,
        count(*) over () as client_count
    from measured
),

scored as (
    select
        ranked.*,
        {{ quintile_score('recency_rank', 'client_count') }} as recency_score,
        {{ quintile_score('frequency_rank', 'client_count') }} as frequency_score,
        {{ quintile_score('monetary_rank', 'client_count') }} as monetary_score
    from ranked
),

segmented as (
    select
        scored.*,
        case
            when scored.recency_days >= {{ var('lost_after_days') }} then 'Lost'
            when scored.days_since_first_order < {{ var('new_client_days') }} then 'New'
            when
                scored.recency_score >= 4 and scored.frequency_score >= 4 and scored.monetary_score >= 4
                then 'Champions'
            when scored.recency_score >= 3 and scored.frequency_score >= 4 then 'Loyal'
            when scored.recency_score >= 4 then 'Potential loyalist'
            when scored.recency_score = 3 then 'Needs attention'
            when scored.frequency_score >= 3 then 'At risk'
            else 'Hibernating'
        end as rfm_segment
    from scored
)

select
    customer_key,
    first_order_date,
    last_order_date,
    recency_days,
    cast(frequency_orders as integer) as frequency_orders,
    monetary_amount,
    cast(lifetime_orders as integer) as lifetime_orders,
    lifetime_net_sales_amount,
    recency_score,
    frequency_score,
    monetary_score,
    cast(recency_score as {{ dbt.type_string() }})
    || cast(frequency_score as {{ dbt.type_string() }})
    || cast(monetary_score as {{ dbt.type_string() }}) as rfm_score,
    rfm_segment,
    case rfm_segment
        when 'Champions' then 1
        when 'Loyal' then 2
        when 'Potential loyalist' then 3
        when 'New' then 4
        when 'Needs attention' then 5
        when 'At risk' then 6
        when 'Hibernating' then 7
        else 8
    end as rfm_segment_order,
    case rfm_segment
        when 'Lost' then 'no order for {{ var("lost_after_days") }} days or more'
        when 'New' then 'first order less than {{ var("new_client_days") }} days ago'
        when 'Champions' then 'R >= 4, F >= 4 and M >= 4'
        when 'Loyal' then 'R >= 3 and F >= 4'
        when 'Potential loyalist' then 'R >= 4, F or M below 4'
        when 'Needs attention' then 'R = 3 and F <= 3'
        when 'At risk' then 'R <= 2 and F >= 3'
        else 'R <= 2 and F <= 2'
    end as rfm_segment_rule
from segmented
