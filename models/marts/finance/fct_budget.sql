{#- What this model computes and its rules: its description in _finance__models.yml (dbt docs). -#}
{{ import_ctes([('budget', 'stg_finance__budget')]) }},

grain as (
    select
        max(case when category_name is not null then 1 else 0 end) as has_category,
        max(case when territory_code is not null then 1 else 0 end) as has_territory,
        max(case when sales_rep_id is not null then 1 else 0 end) as has_sales_rep
    from budget
),

months as (
    select
        budget_month,
        cast({{ dbt.last_day('budget_month', 'month') }} as date) as month_end_date
    from budget
    group by budget_month
),

elapsed as (
    select
        budget_month,
        cast(extract(day from month_end_date) as integer) as days_in_month,
        case
            when month_end_date <= {{ as_of_date() }} then cast(extract(day from month_end_date) as integer)
            when budget_month > {{ as_of_date() }} then 0
            else cast(extract(day from {{ as_of_date() }}) as integer)
        end as elapsed_days
    from months
)

select
    {{ surrogate_key([
        'budget.budget_month', 'budget.category_name', 'budget.territory_code', 'budget.sales_rep_id'
    ]) }} as budget_key,
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
    case
        when elapsed.elapsed_days > 0
            then {{ money('budget.budget_amount * elapsed.elapsed_days / elapsed.days_in_month') }}
    end as budget_to_date_amount,
    elapsed.elapsed_days,
    elapsed.days_in_month,
    budget.source_sheet,
    budget.source_row
from budget
cross join grain
inner join elapsed on budget.budget_month = elapsed.budget_month
