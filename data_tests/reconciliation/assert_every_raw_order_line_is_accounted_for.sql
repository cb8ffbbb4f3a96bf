{#- Every raw order-line row is in fct_sales (as its latest version) or in rejected_rows, exactly once. -#}
with raw_rows as (
    select
        _source_file as source_file,
        _source_row as source_row
    from {{ source('erp', 'order_lines') }}
),

accounted as (
    select
        source_file,
        source_row
    from {{ ref('fct_sales') }}
    union all
    select
        source_file,
        source_row
    from {{ ref('rejected_rows') }}
    where entity = 'order_lines'
),

counted as (
    select
        source_file,
        source_row,
        count(*) as times_accounted
    from accounted
    group by source_file, source_row
)

select
    raw_rows.source_file,
    raw_rows.source_row,
    coalesce(counted.times_accounted, 0) as times_accounted
from raw_rows
full outer join counted
    on raw_rows.source_file = counted.source_file and raw_rows.source_row = counted.source_row
where raw_rows.source_file is null or counted.times_accounted is null or counted.times_accounted <> 1
