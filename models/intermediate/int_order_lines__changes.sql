{#-
    The change set of this build: the order lines an incremental build recomputes, rebuilt on
    every run (macros/incremental.sql). Empty when the build is a full one (no previous build, a
    setting changed, raw rows replaced): every incremental model then rebuilds in full.

    - every raw version of the lines with a row loaded since the previous build: the old version's
      date, customer and order name the groups a changed line leaves, the latest one those it joins;
    - the lines whose `after_as_of_date` check flips because the as-of date moved;
    - the lines of their customers' first orders, old and new, where the first order changed (its
      lines turn Returning, the new one's New); the old ones are read from int_customer_orders
      before it is rebuilt, without a ref, as the previous build left it.
-#}
{{ config(
    materialized='table',
    post_hook="{{ incremental_save(change_set_plan()) }}",
) }}
-- depends_on: {{ ref('int_order_lines__checked') }}
{%- set plan = change_set_plan() %}

{{ import_ctes([('order_lines', 'stg_erp__order_lines')]) }},

{% if plan.full -%}
    changed_lines as (
        select
            order_line_id,
            order_number,
            order_date,
            customer_id
        from order_lines
        where 1 = 0
    )
{%- else -%}
    changed_versions as (
        select
            {{ order_line_id('raw_rows.order_number', 'raw_rows.line_number') }} as order_line_id,
            raw_rows.order_number,
            raw_rows.order_date,
            trim(raw_rows.customer_id) as customer_id
        from ({{ ranked_versions('erp', 'order_lines', plan.since) }}) as raw_rows
    ),

    as_of_crossed as (
        select order_line_id, order_number, order_date, customer_id
        from order_lines
        where {{ as_of_crossed(plan.as_of) }}
    ),

    moved_lines as (
        select * from changed_versions
        union
        select * from as_of_crossed
    ),

    -- the first orders of their customers before this build (int_customer_orders as left) and now
    previous_first_orders as (
        select
            customer_id,
            first_order_number
        from {{ api.Relation.create(
            database=this.database, schema=generate_schema_name('intermediate', none) | trim,
            identifier='int_customer_orders') }}
        where customer_id in (select customer_id from moved_lines)
    ),

    customer_sales as (
        select
            customer_id,
            order_number,
            order_date
        from {{ ref('int_order_lines__checked') }}
        where
            rejection_reason is null and counts_as_sales
            and customer_id in (select customer_id from moved_lines)
    ),

    first_dates as (
        select
            customer_id,
            min(order_date) as first_order_date
        from customer_sales
        group by customer_id
    ),

    current_first_orders as (
        {{ first_order_numbers('customer_sales', 'first_dates') }}
    ),

    -- a changed first order turns the lines of the old one Returning and of the new one New; as
    -- each build has one first order per customer, one found in a single build is one that changed
    first_orders_of_both_builds as (
        select customer_id, first_order_number from previous_first_orders
        union all
        select customer_id, first_order_number from current_first_orders
    ),

    flipped_orders as (
        select first_order_number as order_number
        from first_orders_of_both_builds
        group by customer_id, first_order_number
        having count(*) = 1
    ),

    changed_lines as (
        select * from moved_lines
        union
        select
            order_lines.order_line_id,
            order_lines.order_number,
            order_lines.order_date,
            order_lines.customer_id
        from order_lines
        inner join flipped_orders
            on order_lines.order_number = flipped_orders.order_number
    )
{%- endif %}

select
    order_line_id,
    order_number,
    order_date,
    customer_id
from changed_lines
