with latest_budget as (
    {{ latest_versions('finance', 'budget') }}
),

renamed as (
    select
        budget_month,
        nullif(trim(category), '') as category_name,
        nullif(trim(territory_code), '') as territory_code,
        nullif(trim(sales_rep_id), '') as sales_rep_id,
        cast(budget_amount as decimal(18, 4)) as budget_amount,
        _source_sheet as source_sheet,
        _source_row as source_row
    from latest_budget
)

select * from renamed
