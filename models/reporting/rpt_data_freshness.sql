{{ config(alias='data_freshness', materialized='table') }}
{#-
    How fresh each raw table is, one row per table the loader has landed files in: when its newest
    file landed and, for the order lines, the latest change time a line carries. A table, not a
    view: it describes the raw data this build read, so a load that has not been built yet does not
    claim to be on the dashboards, and the web reads a few rows instead of scanning the raw lines.
-#}
with loaded_files as (
    select
        entity,
        row_count,
        _loaded_at
    from {{ source('loader', '_load_log') }}
),

per_table as (
    select
        entity as source_table,
        count(*) as files_loaded,
        sum(row_count) as rows_loaded,
        max(_loaded_at) as last_loaded_at
    from loaded_files
    group by entity
),

-- only the order lines say when the source system last changed a record
changes as (
    select
        'order_lines' as source_table,
        max(last_modified_at) as newest_change_at
    from {{ source('erp', 'order_lines') }}
)

select
    cast(per_table.source_table as {{ dbt.type_string() }}) as source_table,
    cast(per_table.files_loaded as integer) as files_loaded,
    cast(per_table.rows_loaded as bigint) as rows_loaded,
    cast(per_table.last_loaded_at as timestamp) as last_loaded_at,
    cast(changes.newest_change_at as timestamp) as newest_change_at
from per_table
left join changes
    on per_table.source_table = changes.source_table
