{{ config(alias='territories') }}
{#- Sales territories; the budget's territory grain. -#}
{{ select_declared_columns(ref('dim_territory')) }}
