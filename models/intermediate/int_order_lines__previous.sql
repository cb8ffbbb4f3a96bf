{#-
    The before image of the delta-maintained web aggregates (macros/delta_maintenance.sql): every
    fct_sales line of the touched orders (an order with any line in int_order_lines__changes), as
    the previous build left fct_sales. Read without a ref, which would wait for fct_sales to be
    rebuilt: fct_sales depends on this model instead, so it is captured first. Empty in a full
    build (an empty change set) or when fct_sales does not exist yet. In the `changes` schema with
    int_order_lines__delta: the incremental build's work tables, not the warehouse's content.
-#}
{{ config(
    materialized='table',
    schema='changes',
    post_hook="{{ delta_save() }}",
) }}
{%- set sales = delta_existing_relation('fct_sales') %}

with changes as (
    select * from {{ ref('int_order_lines__changes') }}
),

{% if sales is none -%}
    previous_lines as (
        select
            cast(null as {{ dbt.type_string() }}) as order_line_id,
            cast(null as {{ dbt.type_string() }}) as order_number,
            cast(null as date) as order_date,
            cast(null as integer) as order_date_key,
            cast(null as bigint) as customer_key,
            cast(null as bigint) as product_key,
            cast(null as bigint) as campaign_key,
            cast(null as bigint) as geography_key,
            cast(null as bigint) as territory_key,
            cast(null as bigint) as sales_rep_key,
            cast(null as boolean) as counts_as_sales,
            cast(null as {{ dbt.type_string() }}) as customer_order_type,
            cast(null as bigint) as sales_quantity,
            {{ money('null') }} as net_sales_amount,
            {{ money('null') }} as margin_amount,
            {{ money('null') }} as cancelled_amount
        from changes
        where 1 = 0
    )
{%- else -%}
    previous_lines as (
        select
            order_line_id,
            order_number,
            order_date,
            order_date_key,
            customer_key,
            product_key,
            campaign_key,
            geography_key,
            territory_key,
            sales_rep_key,
            counts_as_sales,
            customer_order_type,
            sales_quantity,
            net_sales_amount,
            margin_amount,
            cancelled_amount
        from {{ sales }}
        where order_number in (select changes.order_number from changes)
    )
{%- endif %}

select * from previous_lines
