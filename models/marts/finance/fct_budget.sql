{#-
    The budget at the grain the workbook has: month only (simple form), or month x category x
    territory (x sales rep). `budget_grain` names it, so consumers compare it only with sales at
    the same grain.
-#}
with budget as (
    select * from {{ ref('stg_finance__budget') }}
),

grain as (
    select
        max(case when category_name is not null then 1 else 0 end) as has_category,
        max(case when territory_code is not null then 1 else 0 end) as has_territory,
        max(case when sales_rep_id is not null then 1 else 0 end) as has_sales_rep
    from budget
)

select
    {{ surrogate_key(['budget_month', 'category_name', 'territory_code', 'sales_rep_id']) }} as budget_key,
    {{ date_key('budget.budget_month') }} as budget_month_date_key,
    budget.budget_month,
    budget.category_name,
    case when budget.category_name is null then -1 else {{ surrogate_key(['budget.category_name']) }} end
        as category_key,
    budget.territory_code,
    case when budget.territory_code is null then -1 else {{ surrogate_key(['budget.territory_code']) }} end
        as territory_key,
    budget.sales_rep_id,
    case when budget.sales_rep_id is null then -1 else {{ surrogate_key(['budget.sales_rep_id']) }} end
        as sales_rep_key,
    case
        when grain.has_sales_rep = 1 then 'month x category x territory x sales rep'
        when grain.has_category = 1 or grain.has_territory = 1 then 'month x category x territory'
        else 'month'
    end as budget_grain,
    budget.budget_amount,
    budget.source_sheet,
    budget.source_row
from budget
cross join grain
