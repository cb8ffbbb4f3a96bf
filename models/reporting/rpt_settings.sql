{{ config(alias='settings') }}
{#- One row: the settings this build ran with, for the front ends that cannot read them elsewhere. -#}
with build_settings as (
    select
        1 as settings_key,
        {{ as_of_date() }} as as_of_date,
        {{ history_start_date() }} as history_start_date,
        cast({{ budget_year_value() }} as integer) as budget_year,
        cast({{ text_literal(currency_code_value()) }} as {{ dbt.type_string() }}) as currency_code,
        cast({{ text_literal(currency_symbol_value()) }} as {{ dbt.type_string() }}) as currency_symbol
)

select
    settings_key,
    as_of_date,
    history_start_date,
    budget_year,
    currency_code,
    currency_symbol
from build_settings
