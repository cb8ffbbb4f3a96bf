{{ config(alias='sales') }}
{#- Internet sales at order-line grain: the fact table of the report. -#}
{{ select_declared_columns(ref('fct_sales')) }}
