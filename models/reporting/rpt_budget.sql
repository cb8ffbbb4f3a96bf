{{ config(alias='budget') }}
{#- The budget at the grain of finance's workbook. -#}
select
    budget_key,
    budget_month_date_key,
    budget_month,
    category_name,
    category_key,
    territory_code,
    territory_key,
    sales_rep_id,
    sales_rep_key,
    budget_grain,
    budget_amount,
    budget_to_date_amount
from {{ ref('fct_budget') }}
