{{ config(alias='budget') }}
{#- The budget at the grain of finance's workbook. -#}
{{ select_declared_columns(ref('fct_budget')) }}
