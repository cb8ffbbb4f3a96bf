{#-
    Net sales agree to the cent: raw lines not rejected (latest versions, not cancelled)
    = fct_sales = the reporting layer's monthly totals.

    An incremental build of fct_sales (macros/changed_rows.sql's changed_rows_state) compares the raw
    rows and the fct_sales rows of the lines it recomputed (the change set), and fct_sales' total
    with the reporting layer's. The other lines' raw rows and fct_sales rows are those the previous
    build reconciled: a raw row of theirs arriving since, or a change of their rejection (the as-of
    date moving), would put them in the change set. A full build, --full-refresh and `dbt test`
    reconcile every row.
-#}
-- depends_on: {{ ref('int_order_lines__changes') }}
{%- set incremental = changed_rows_state('fct_sales') is not none %}
{%- set changed_lines -%}
    select changes.order_line_id from {{ ref('int_order_lines__changes') }} as changes
{%- endset -%}
{%- set raw_sales -%}
    select sum(raw_rows.extended_amount) as amount
    from {{ source('erp', 'order_lines') }} as raw_rows
    where lower(raw_rows.status) <> 'cancelled' and not exists (
        select 1
        from {{ ref('rejected_rows') }} as rejected
        where
            rejected.entity = 'order_lines'
            and rejected.source_file = raw_rows._source_file
            and rejected.source_row = raw_rows._source_row
    )
    {%- if incremental %}
        -- the orders first: a plain column narrows the rows before their line ids are built
        and raw_rows.order_number in (
            select changes.order_number from {{ ref('int_order_lines__changes') }} as changes
        )
        and {{ order_line_id('raw_rows.order_number', 'raw_rows.line_number') }} in (
            {{ changed_lines }}
        )
    {%- endif %}
{%- endset -%}
{%- set fact_sales = 'select sum(net_sales_amount) as amount from ' ~ ref('fct_sales') -%}
{%- set reporting_sales = 'select sum(sales_amount) as amount from ' ~ ref('rpt_sales_vs_budget_monthly') -%}
{%- if incremental %}
    {{ totals_agree_to_the_cent(
        {
            'raw_changed_sales': raw_sales,
            'fact_changed_sales': fact_sales ~ ' where order_line_id in (' ~ changed_lines ~ ')',
            'fact_sales': fact_sales,
            'reporting_sales': reporting_sales,
        },
        [('raw_changed_sales', 'fact_changed_sales'), ('fact_sales', 'reporting_sales')],
    ) }}
{%- else %}
    {{ totals_agree_to_the_cent({
        'raw_sales': raw_sales,
        'fact_sales': fact_sales,
        'reporting_sales': reporting_sales,
    }) }}
{%- endif %}
