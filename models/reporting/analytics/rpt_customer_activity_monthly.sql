{{ config(alias='customer_activity_monthly') }}
{#-
    New, returning, reactivated and lost clients per month, by client type, industry, region,
    territory and owning sales rep (rules in fct_customer_activity: lost = no order for
    `lost_after_days` days). The territory and rep keys carry row-level security. Only the
    combinations with some activity have a row.
-#}
{{ import_ctes([
    ('activity', 'fct_customer_activity'),
    ('customers', 'dim_customer'),
    ('territories', 'dim_territory'),
]) }},

described as (
    select
        activity.*,
        customers.customer_type,
        customers.industry,
        customers.territory_key,
        customers.sales_rep_key,
        coalesce(territories.region_name, 'Unassigned') as region_name
    from activity
    inner join customers on activity.customer_key = customers.customer_key
    left join territories on customers.territory_key = territories.territory_key
),

counted as (
    select
        activity_month,
        customer_type,
        industry,
        region_name,
        territory_key,
        sales_rep_key,
        -- fct_customer_activity has one row per client, month and activity type (a tested grain) and
        -- a client one type, industry, territory and rep: counting rows counts distinct clients
        count(case when activity_type = 'new' then customer_key end) as new_clients,
        count(case when activity_type = 'returning' then customer_key end) as returning_clients,
        count(case when activity_type = 'returning' and is_reactivation then customer_key end)
            as reactivated_clients,
        count(case when activity_type = 'lost' then customer_key end) as lost_clients,
        {{ money("sum(case when activity_type = 'new' then net_sales_amount else 0 end)") }}
            as new_client_net_sales_amount,
        {{ money("sum(case when activity_type = 'returning' then net_sales_amount else 0 end)") }}
            as returning_client_net_sales_amount
    from described
    group by activity_month, customer_type, industry, region_name, territory_key, sales_rep_key
)

select
    {{ surrogate_key(['activity_month', 'customer_type', 'industry', 'territory_key', 'sales_rep_key']) }}
        as customer_activity_month_key,
    activity_month as month_start_date,
    {{ date_key('activity_month') }} as month_date_key,
    customer_type,
    industry,
    region_name,
    territory_key,
    sales_rep_key,
    cast(new_clients as integer) as new_clients,
    cast(returning_clients as integer) as returning_clients,
    cast(reactivated_clients as integer) as reactivated_clients,
    cast(lost_clients as integer) as lost_clients,
    cast(new_clients + returning_clients as integer) as active_clients,
    new_client_net_sales_amount,
    returning_client_net_sales_amount
from counted
