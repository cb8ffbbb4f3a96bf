{#- Sales territories and the regions they roll up to; the budget's territory grain. -#}
{{ import_ctes([('territories', 'stg_crm__territories')]) }},

known as (
    select
        {{ surrogate_key(['territory_code']) }} as territory_key,
        territory_code,
        territory_name,
        region_name,
        country_code
    from territories
),

unassigned as (
    select
        -1 as territory_key,
        'UNASSIGNED' as territory_code,
        'Unassigned' as territory_name,
        'Unassigned' as region_name,
        cast(null as {{ dbt.type_string() }}) as country_code
)

select * from known
union all
select * from unassigned
