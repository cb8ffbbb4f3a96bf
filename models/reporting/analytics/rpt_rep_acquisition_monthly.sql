{{ config(alias='rep_acquisition_monthly') }}
{#- New clients per sales rep and month (every rep, every month up to the as-of month). -#}
{{ import_ctes([
    ('acquisition', 'fct_rep_acquisition_monthly'),
    ('reps', 'dim_sales_rep'),
    ('territories', 'dim_territory'),
]) }}

select
    acquisition.rep_acquisition_key,
    acquisition.sales_rep_key,
    reps.employee_id,
    reps.full_name as sales_rep_name,
    coalesce(territories.territory_key, -1) as territory_key,
    reps.territory_code,
    reps.region_name,
    acquisition.month_start_date,
    acquisition.month_date_key,
    acquisition.new_clients,
    acquisition.first_order_net_sales_amount,
    acquisition.cumulative_new_clients
from acquisition
inner join reps on acquisition.sales_rep_key = reps.sales_rep_key
left join territories on reps.territory_code = territories.territory_code
