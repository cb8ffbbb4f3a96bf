{#-
    Sales per day x product category x campaign x territory x sales rep x client type, for the web
    dashboard's queries (the order-line grain, summed). Each group is there twice: once per category
    (`is_all_categories` false) and once over all categories (true, `category_name` empty); a query
    reads one or the other, never both.

    - Sums of the measure columns of fct_sales add up to any coarser group.
    - `order_count` (distinct orders with a line that counts as sales) and `new_customer_count`
      (distinct known clients with a line of their first order) add up over days, campaigns,
      territories, reps and client types, because an order has one date, client and campaign
      (agg_web_sales_checks verifies it on every build): over the category rows only for one
      category at a time, else over the all-categories rows.
    - The Unknown customer (-1) is no client: it is not counted (as the New Customers measure).
-#}
{#-
    Incremental by delta (macros/delta_maintenance.sql): each touched group gets what the delivery
    changed in it (`line_count` says when a group has no line left).
-#}
{%- set digests = [
    ('dim_customer', ['customer_key', 'customer_type', 'sales_rep_key', 'territory_key']),
    ('dim_product', ['product_key', 'category_name']),
] -%}
-- depends_on: {{ ref('int_order_lines__delta') }}
{%- set plan = delta_config(
    '(order_date, campaign_key, territory_key, sales_rep_key)', 'touched_web_daily_keys', digests,
    ['fct_sales', 'int_order_lines__delta'],
) %}

{#- The slices every row is grouped by besides the day and the category. -#}
{%- set slices = [
    'campaign_key', 'territory_key', 'sales_rep_key',
    'customer_type', 'customer_sales_rep_key', 'customer_territory_key',
] %}

with lines as (
    select
    {%- if not plan.full %}
            line_sign,
        {%- endif %}
        order_date,
        order_date_key,
        campaign_key,
        territory_key,
        sales_rep_key,
        customer_key,
        order_number,
        counts_as_sales,
        customer_order_type,
        net_sales_amount,
        sales_quantity,
        margin_amount,
        cancelled_amount,
        category_name,
        customer_type,
        customer_sales_rep_key,
        customer_territory_key
    -- a delta: the touched orders' lines before (line_sign -1, measures negated) and after (+1)
    from {{ ref('int_order_lines__enriched') if plan.full else ref('int_order_lines__delta') }}
),

category_sums as (
    select
        order_date,
        order_date_key,
        category_name,
        {%- for column in slices %}
            {{ column }},
        {%- endfor %}
        sum(net_sales_amount) as net_sales_amount,
        sum(sales_quantity) as sales_quantity,
        sum(margin_amount) as margin_amount,
        sum(cancelled_amount) as cancelled_amount,
        {{ delta_line_count(plan) }} as line_count
    from lines
    group by order_date, order_date_key, category_name, {{ slices | join(', ') }}
),

-- distinct counts: one pass over the lines per grain (they do not add up across categories)
{%- for grain, keys in [('category', ['order_date', 'category_name']), ('all', ['order_date'])] %}
    {{ grain }}_counts as (
        select
            {%- for column in keys + slices %}
                {{ column }},
            {%- endfor %}
            {{ delta_count_distinct(plan, 'counts_as_sales', 'order_number') }} as order_count,
            {{ delta_count_distinct(plan, "customer_order_type = 'New' and customer_key <> -1", 'customer_key') }}
                as new_customer_count
        from lines
        group by {{ (keys + slices) | join(', ') }}
    ),
{% endfor %}
{#- Each part: (relation, over all categories?, which measures it carries); the others are empty. -#}
{%- set part_specs = [
    ('category_sums', false, 'sums'), ('category_sums', true, 'sums'),
    ('category_counts', false, 'counts'), ('all_counts', true, 'counts'),
] -%}
{%- set part_measures = [
    ('net_sales_amount', 'sums', 'decimal(18, 4)'), ('sales_quantity', 'sums', 'bigint'),
    ('margin_amount', 'sums', 'decimal(18, 4)'), ('cancelled_amount', 'sums', 'decimal(18, 4)'),
    ('order_count', 'counts', 'bigint'), ('new_customer_count', 'counts', 'bigint'),
    ('line_count', 'sums', 'bigint'),
] %}

-- every part as rows of one shape, then one row per group (grouping matches nulls)
parts as (
    {%- for relation, over_all_categories, carries in part_specs %}
        select
            order_date,
            {{ date_key('order_date') }} as order_date_key,
            {{ 'true' if over_all_categories else 'false' }} as is_all_categories,
            cast({{ 'null' if over_all_categories else 'category_name' }} as {{ dbt.type_string() }})
                as category_name,
            {%- for column in slices %}
                {{ column }},
            {%- endfor %}
        {%- for column, kind, data_type in part_measures %}
            cast({{ column if kind == carries else 'null' }} as {{ data_type }}) as {{ column }}
            {{- ',' if not loop.last }}
        {%- endfor %}
        from {{ relation }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
    {%- if not plan.full %}
        -- a delta: the touched keys' rows as they were (moved to the stash by the pre-hook)
        union all
        select
            order_date,
            order_date_key,
            is_all_categories,
            category_name,
            {%- for column in slices %}
                {{ column }},
            {%- endfor %}
            {%- for column, kind, data_type in part_measures %}
                {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ delta_stash_relation() }}
    {%- endif %}
)

select
    order_date,
    order_date_key,
    is_all_categories,
    category_name,
    {%- for column in slices %}
        {{ column }},
    {%- endfor %}
    {{ web_sums() }},
    cast(coalesce(sum(order_count), 0) as bigint) as order_count,
    cast(coalesce(sum(new_customer_count), 0) as bigint) as new_customer_count,
    cast(sum(line_count) as bigint) as line_count
from parts
group by order_date, order_date_key, is_all_categories, category_name, {{ slices | join(', ') }}
-- a group whose last line left goes
having sum(line_count) > 0
order by is_all_categories, order_date
