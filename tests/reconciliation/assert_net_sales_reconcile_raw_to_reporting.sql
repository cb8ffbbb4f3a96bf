{#-
    Net sales agree to the cent: raw lines not rejected (latest versions, not cancelled)
    = fct_sales = the reporting layer's monthly totals.
-#}
with rejected as (
    select
        source_file,
        source_row
    from {{ ref('rejected_rows') }}
    where entity = 'order_lines'
),

raw_sales as (
    select sum(raw_rows.extended_amount) as amount
    from {{ source('erp', 'order_lines') }} as raw_rows
    left join rejected
        on raw_rows._source_file = rejected.source_file and raw_rows._source_row = rejected.source_row
    where rejected.source_file is null and lower(raw_rows.status) <> 'cancelled'
),

fact_sales as (
    select sum(net_sales_amount) as amount from {{ ref('fct_sales') }}
),

reporting_sales as (
    select sum(sales_amount) as amount from {{ ref('rpt_sales_vs_budget_monthly') }}
),

compared as (
    select
        coalesce(raw_sales.amount, 0) as raw_amount,
        coalesce(fact_sales.amount, 0) as fact_amount,
        coalesce(reporting_sales.amount, 0) as reporting_amount
    from raw_sales
    cross join fact_sales
    cross join reporting_sales
)

select *
from compared
where abs(raw_amount - fact_amount) >= 0.005 or abs(fact_amount - reporting_amount) >= 0.005
