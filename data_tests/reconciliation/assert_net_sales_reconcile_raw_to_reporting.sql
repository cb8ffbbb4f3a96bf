{#-
    Net sales agree to the cent: raw lines not rejected (latest versions, not cancelled)
    = fct_sales = the reporting layer's monthly totals.
-#}
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
{%- endset -%}
{{ totals_agree_to_the_cent({
    'raw_sales': raw_sales,
    'fact_sales': 'select sum(net_sales_amount) as amount from ' ~ ref('fct_sales'),
    'reporting_sales': 'select sum(sales_amount) as amount from ' ~ ref('rpt_sales_vs_budget_monthly'),
}) }}
