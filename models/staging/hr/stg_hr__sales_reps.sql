with latest_sales_reps as (
    {{ latest_versions('hr', 'sales_reps') }}
),

renamed as (
    select
        hire_date,
        trim(employee_id) as employee_id,
        trim(full_name) as full_name,
        lower(trim(email)) as email,
        nullif(trim(job_title), '') as job_title,
        nullif(trim(territory_code), '') as territory_code,
        nullif(trim(manager_id), '') as manager_id
    from latest_sales_reps
)

select
    employee_id,
    full_name,
    email,
    job_title,
    territory_code,
    manager_id,
    hire_date
from renamed
