{{ config(alias='sales_reps') }}
{#- Sales people; the e-mail drives row-level security. -#}
select
    sales_rep_key,
    employee_id,
    full_name,
    email,
    job_title,
    territory_code,
    territory_name,
    region_name,
    manager_employee_id,
    manager_name,
    manager_email,
    hire_date
from {{ ref('dim_sales_rep') }}
