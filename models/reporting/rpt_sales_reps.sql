{{ config(alias='sales_reps') }}
{#- Sales people; the e-mail drives row-level security. -#}
{{ select_declared_columns(ref('dim_sales_rep')) }}
