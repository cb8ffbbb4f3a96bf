{#-
    The months each client bought in, per product category and over all categories, for the web
    dashboard's distinct client counts (Customers): one row per client x category (`is_all_categories`
    false) and one per client over all categories (true, `category_name` empty), from the order lines
    that count as sales (the Unknown customer, -1, is no client and has no row).

    `active_months_0` has bit i set when the client bought in month i of the calendar (months since
    the first month of dim_date, i < 62); `active_months_1` holds months 62 to 123. A client counts in
    a range of whole months when its row has a bit of the range.

    The sales rep, territory and city are those of the order lines (fct_sales takes them from the
    client, so there is one row per client and category: a test checks it).
-#}
{#- Incremental (macros/incremental.sql): the touched clients are recomputed whole. -#}
{%- set digests = [
    ('dim_customer', ['customer_key', 'customer_label', 'customer_type', 'industry', 'sales_rep_key', 'territory_key']),
    ('dim_product', ['product_key', 'category_name']),
    ('dim_date', ['date_day', 'month_start_date']),
] -%}
{%- set plan = incremental_config('customer_key', 'touched_customer_keys', digests, ['fct_sales']) %}

{{ import_ctes([
    ('order_lines', 'int_order_lines__enriched'),
    ('customers', 'dim_customer'),
]) }},

calendar as (
    select
        cast(extract(year from min(month_start_date)) as integer) as first_year,
        cast(extract(month from min(month_start_date)) as integer) as first_month
    from {{ ref('dim_date') }}
),

lines as (
    select
        order_lines.customer_key,
        order_lines.sales_rep_key,
        order_lines.territory_key,
        order_lines.geography_key,
        order_lines.category_name,
        (cast(extract(year from order_lines.order_date) as integer) - calendar.first_year) * 12
        + cast(extract(month from order_lines.order_date) as integer) - calendar.first_month as month_index
    from order_lines
    cross join calendar
    where
        order_lines.counts_as_sales and order_lines.customer_key <> -1  -- the Unknown customer is no client
        and {{ touched_only(plan, 'order_lines.customer_key', touched_customer_keys()) }}
),

by_category as (
    select
        customer_key,
        category_name,
        sales_rep_key,
        territory_key,
        geography_key,
        bit_or(
            case when month_index < 62 then cast(1 as bigint) << cast(month_index as integer) else 0 end
        ) as active_months_0,
        bit_or(
            case
                when month_index >= 62 and month_index < 124
                    then cast(1 as bigint) << cast(month_index - 62 as integer)
                else 0
            end
        ) as active_months_1
    from lines
    group by customer_key, category_name, sales_rep_key, territory_key, geography_key
),

activity as (
    select
        customer_key,
        false as is_all_categories,
        category_name,
        sales_rep_key,
        territory_key,
        geography_key,
        active_months_0,
        active_months_1
    from by_category
    union all
    select
        customer_key,
        true as is_all_categories,
        null as category_name,
        sales_rep_key,
        territory_key,
        geography_key,
        bit_or(active_months_0) as active_months_0,
        bit_or(active_months_1) as active_months_1
    from by_category
    group by customer_key, sales_rep_key, territory_key, geography_key
)

select
    activity.customer_key,
    activity.is_all_categories,
    activity.category_name,
    activity.sales_rep_key,
    activity.territory_key,
    activity.geography_key,
    customers.customer_label,
    customers.customer_type,
    customers.industry,
    customers.sales_rep_key as customer_sales_rep_key,
    customers.territory_key as customer_territory_key,
    cast(activity.active_months_0 as bigint) as active_months_0,
    cast(activity.active_months_1 as bigint) as active_months_1
from activity
left join customers on activity.customer_key = customers.customer_key
order by activity.is_all_categories, activity.category_name, activity.customer_key
