{{ config(alias='web_customer_activity') }}
{#- The web dashboard's reading of agg_web_customer_activity (see there). -#}
{{ select_declared_columns(ref('agg_web_customer_activity')) }}
