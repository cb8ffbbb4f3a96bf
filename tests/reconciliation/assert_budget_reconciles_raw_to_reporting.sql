{#- The budget total agrees to the cent: raw (as read from the workbook) = fct_budget = reporting. -#}
with raw_budget as (
    select sum(budget_amount) as amount from {{ source('finance', 'budget') }}
),

fact_budget as (
    select sum(budget_amount) as amount from {{ ref('fct_budget') }}
),

reporting_budget as (
    select sum(budget_amount) as amount from {{ ref('rpt_sales_vs_budget_monthly') }}
),

compared as (
    select
        coalesce(raw_budget.amount, 0) as raw_amount,
        coalesce(fact_budget.amount, 0) as fact_amount,
        coalesce(reporting_budget.amount, 0) as reporting_amount
    from raw_budget
    cross join fact_budget
    cross join reporting_budget
)

select *
from compared
where abs(raw_amount - fact_amount) >= 0.005 or abs(fact_amount - reporting_amount) >= 0.005
