-- Budget attainment per region for the budget year, from the reporting layer alone.
-- `dbt compile --select budget_attainment_by_region` writes the SQL to target/compiled/.
with monthly as (
    select * from {{ ref('rpt_sales_vs_budget_monthly') }}
    where year_number = {{ budget_year_value() }}
)

select
    region_name,
    sum(sales_amount) as sales_amount,
    sum(budget_to_date_amount) as budget_to_date_amount,
    sum(sales_amount) / nullif(sum(budget_to_date_amount), 0) as attainment_to_date_pct
from monthly
group by region_name
order by attainment_to_date_pct
