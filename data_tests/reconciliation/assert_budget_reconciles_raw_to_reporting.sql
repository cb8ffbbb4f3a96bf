{#- The budget total agrees to the cent: raw (as read from the workbook) = fct_budget = reporting. -#}
{{ totals_agree_to_the_cent({
    'raw_budget': 'select sum(budget_amount) as amount from ' ~ source('finance', 'budget'),
    'fact_budget': 'select sum(budget_amount) as amount from ' ~ ref('fct_budget'),
    'reporting_budget': 'select sum(budget_amount) as amount from ' ~ ref('rpt_sales_vs_budget_monthly'),
}) }}
