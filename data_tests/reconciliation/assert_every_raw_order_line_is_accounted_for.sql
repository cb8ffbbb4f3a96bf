{#-
    Every raw order-line row is in fct_sales (as its latest version) or in rejected_rows, exactly once.

    An incremental build of fct_sales (macros/changed_rows.sql's changed_rows_state) checks the raw
    rows of the lines it recomputed: every raw version of the changed lines (the change set), and
    every fct_sales or rejected row of those lines. The other lines' raw rows, fct_sales rows and
    rejected rows are those the previous build checked: no raw row of theirs arrived since (it would
    put the line in the change set), fct_sales keeps their rows, and rejected_rows recomputes them
    from the same raw rows. A full build, --full-refresh and `dbt test` read every row.
-#}
-- depends_on: {{ ref('int_order_lines__changes') }}
{%- set incremental = changed_rows_state('fct_sales') is not none %}

with
{%- if incremental %}
    changed_lines as (
        select
            order_number,
            order_line_id
        from {{ ref('int_order_lines__changes') }}
    ),
{%- endif %}

raw_rows as (
    select
        _source_file as source_file,
        _source_row as source_row
    from {{ source('erp', 'order_lines') }}
    {%- if incremental %}
        -- the orders first: a plain column narrows the rows before their line ids are built
        where
            order_number in (select changed_lines.order_number from changed_lines)
            and {{ order_line_id() }} in (select changed_lines.order_line_id from changed_lines)
    {%- endif %}
),

rejected_order_lines as (
    select
        source_file,
        source_row
    from {{ ref('rejected_rows') }}
    where entity = 'order_lines'
),

accounted as (
    select
        source_file,
        source_row
    from {{ ref('fct_sales') }}
    {%- if incremental %}
        where order_line_id in (select changed_lines.order_line_id from changed_lines)
    {%- endif %}
    union all
    select
        rejected_order_lines.source_file,
        rejected_order_lines.source_row
    from rejected_order_lines
    {%- if incremental %}
        inner join raw_rows
            on
                rejected_order_lines.source_file = raw_rows.source_file
                and rejected_order_lines.source_row = raw_rows.source_row
    {%- endif %}
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
