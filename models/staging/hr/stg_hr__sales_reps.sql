with latest_sales_reps as (
    {{ latest_versions('hr', 'sales_reps') }}
),

renamed as (
    select
        trim(employee_id) as employee_id,
        trim(full_name) as full_name,
        lower(trim(email)) as email,
        nullif(trim(job_title), '') as job_title,
        nullif(trim(territory_code), '') as territory_code,
        nullif(trim(manager_id), '') as manager_id,
        hire_date
    from latest_sales_reps
)

select * from renamed
