{{ config(alias='sales_vs_budget_monthly') }}
{#-
    Sales against budget per month at the budget's own grain (see fct_budget.budget_grain), for
    every month from the history start to the end of the budget year.

    - A budget is compared only with sales at the same grain: with a month-only budget there are
      no category or territory rows, so no category's sales are ever divided by the company budget.
    - Sales the budget does not cover (a territory without budget, say) are kept with an empty
      budget, so the totals reconcile with fct_sales.
    - Months after the as-of date have no sales yet: sales are empty there, not zero.
    - The as-of month is partial: `budget_to_date_amount` (from fct_budget) prorates its budget by
      elapsed days (`budget_basis` says so) and `attainment_to_date_pct` compares with that.
    - Variance and attainment are the Variance and Attainment % measures of
      src/salespulse/semantic/measures.yml (macros/generated/measures.sql), as in Power BI and the
      web dashboard.
-#}
{{ import_ctes([
    ('sales', 'fct_sales'),
    ('budget', 'fct_budget'),
    ('dates', 'dim_date'),
    ('products', 'dim_product'),
    ('territories', 'dim_territory'),
    ('reps', 'dim_sales_rep'),
]) }},

grain as (
    select
        coalesce(max(case when category_name is not null then 1 else 0 end), 0) as has_category,
        coalesce(max(case when territory_code is not null then 1 else 0 end), 0) as has_territory,
        coalesce(max(case when sales_rep_id is not null then 1 else 0 end), 0) as has_sales_rep,
        coalesce(max(budget_grain), 'month') as budget_grain
    from budget
),

sales_lines_at_budget_grain as (
    select
        dates.month_start_date as budget_month,
        sales.net_sales_amount,
        case when grain.has_category = 1 then products.category_name end as category_name,
        case when grain.has_territory = 1 then territories.territory_code end as territory_code,
        case when grain.has_sales_rep = 1 then reps.employee_id end as sales_rep_id
    from sales
    inner join dates on sales.order_date_key = dates.date_key
    inner join products on sales.product_key = products.product_key
    inner join territories on sales.territory_key = territories.territory_key
    inner join reps on sales.sales_rep_key = reps.sales_rep_key
    cross join grain
),

sales_at_budget_grain as (
    select
        budget_month,
        category_name,
        territory_code,
        sales_rep_id,
        {{ money('sum(net_sales_amount)') }} as sales_amount,
        cast(null as decimal(18, 4)) as budget_amount,
        cast(null as decimal(18, 4)) as budget_to_date_amount
    from sales_lines_at_budget_grain
    group by budget_month, category_name, territory_code, sales_rep_id
),

budget_rows as (
    select
        budget_month,
        category_name,
        territory_code,
        sales_rep_id,
        cast(null as decimal(18, 4)) as sales_amount,
        budget_amount,
        budget_to_date_amount
    from budget
),

combined as (
    select
        budget_month,
        category_name,
        territory_code,
        sales_rep_id,
        {{ money('sum(sales_amount)') }} as sales_amount,
        {{ money('sum(budget_amount)') }} as budget_amount,
        {{ money('sum(budget_to_date_amount)') }} as budget_to_date_amount
    from (
        select * from sales_at_budget_grain
        union all
        select * from budget_rows
    ) as both_sides
    group by budget_month, category_name, territory_code, sales_rep_id
),

months as (
    select
        month_start_date,
        max(month_end_date) as month_end_date,
        max(days_in_month) as days_in_month,
        max(year_number) as year_number,
        max(month_number) as month_number
    from dates
    group by month_start_date
),

dated as (
    select
        combined.*,
        months.year_number,
        months.month_number,
        months.days_in_month,
        case
            when months.month_end_date <= {{ as_of_date() }} then months.days_in_month
            when months.month_start_date > {{ as_of_date() }} then 0
            else cast(extract(day from {{ as_of_date() }}) as integer)
        end as elapsed_days
    from combined
    inner join months on combined.budget_month = months.month_start_date
),

measured as (
    select
        dated.*,
        {{ money('case when elapsed_days > 0 then coalesce(sales_amount, 0) end') }} as sales_to_date_amount
    from dated
)

select
    {{ surrogate_key([
        'measured.budget_month', 'measured.category_name', 'measured.territory_code', 'measured.sales_rep_id'
    ]) }} as sales_vs_budget_key,
    {{ date_key('measured.budget_month') }} as month_date_key,
    measured.budget_month as month_start_date,
    measured.year_number,
    measured.month_number,
    grain.budget_grain,
    measured.category_name,
    coalesce(territories.territory_key, -1) as territory_key,
    measured.territory_code,
    territories.territory_name,
    territories.region_name,
    coalesce(reps.sales_rep_key, -1) as sales_rep_key,
    measured.sales_rep_id,
    reps.full_name as sales_rep_name,
    measured.sales_to_date_amount as sales_amount,
    measured.budget_amount,
    measured.budget_to_date_amount,
    case
        when measured.elapsed_days = measured.days_in_month then 'full month'
        when measured.elapsed_days = 0 then 'future month'
        else
            'prorated: ' || cast(measured.elapsed_days as {{ dbt.type_string() }}) || ' of '
            || cast(measured.days_in_month as {{ dbt.type_string() }}) || ' days'
    end as budget_basis,
    measured.elapsed_days = measured.days_in_month as is_complete_month,
    measured.elapsed_days,
    measured.days_in_month,
    {{ money(measure__variance('measured.sales_to_date_amount', 'measured.budget_to_date_amount')) }}
        as variance_amount,
    case
        when measured.elapsed_days = measured.days_in_month
            then {{ measure__attainment_pct('measured.sales_to_date_amount', 'measured.budget_amount') }}
    end as attainment_pct,
    {{ measure__attainment_pct('measured.sales_to_date_amount', 'measured.budget_to_date_amount') }}
        as attainment_to_date_pct
from measured
cross join grain
left join territories on measured.territory_code = territories.territory_code
left join reps on measured.sales_rep_id = reps.employee_id
