with latest_budget as (
    {{ latest_versions('finance', 'budget') }}
),

renamed as (
    select
        budget_month,
        cast(budget_amount as decimal(18, 4)) as budget_amount,
        _source_sheet as source_sheet,
        _source_row as source_row,
        nullif(trim(category), '') as category_name,
        nullif(trim(territory_code), '') as territory_code,
        nullif(trim(sales_rep_id), '') as sales_rep_id
    from latest_budget
)

select
    budget_month,
    category_name,
    territory_code,
    sales_rep_id,
    budget_amount,
    source_sheet,
    source_row
from renamed
