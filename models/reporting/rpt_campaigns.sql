{{ config(alias='campaigns') }}
{#- Marketing campaigns. -#}
{{ select_declared_columns(ref('dim_campaign')) }}
