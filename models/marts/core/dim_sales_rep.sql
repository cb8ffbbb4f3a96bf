{#- Sales people with their territory and manager; the e-mail drives row-level security. -#}
{{ import_ctes([
    ('reps', 'stg_hr__sales_reps'),
    ('territories', 'stg_crm__territories'),
]) }},

known as (
    select
        {{ surrogate_key(['reps.employee_id']) }} as sales_rep_key,
        reps.employee_id,
        reps.full_name,
        reps.email,
        coalesce(reps.job_title, 'Sales Representative') as job_title,
        coalesce(territories.territory_code, 'UNASSIGNED') as territory_code,
        coalesce(territories.territory_name, 'Unassigned') as territory_name,
        coalesce(territories.region_name, 'Unassigned') as region_name,
        reps.manager_id as manager_employee_id,
        managers.full_name as manager_name,
        managers.email as manager_email,
        reps.hire_date
    from reps
    left join reps as managers
        on reps.manager_id = managers.employee_id
    left join territories
        on reps.territory_code = territories.territory_code
),

unassigned as (
    select
        -1 as sales_rep_key,
        'UNASSIGNED' as employee_id,
        'Unassigned' as full_name,
        cast(null as {{ dbt.type_string() }}) as email,
        'Unassigned' as job_title,
        'UNASSIGNED' as territory_code,
        'Unassigned' as territory_name,
        'Unassigned' as region_name,
        cast(null as {{ dbt.type_string() }}) as manager_employee_id,
        cast(null as {{ dbt.type_string() }}) as manager_name,
        cast(null as {{ dbt.type_string() }}) as manager_email,
        cast(null as date) as hire_date
)

select * from known
union all
select * from unassigned
