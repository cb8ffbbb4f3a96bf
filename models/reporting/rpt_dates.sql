{{ config(alias='dates') }}
{#- The calendar, marked as the date table. -#}
{{ select_declared_columns(ref('dim_date')) }}
