{{ config(alias='web_client_sales') }}
{#- The web dashboard's reading of agg_web_client_sales (see there). -#}
{{ select_declared_columns(ref('agg_web_client_sales')) }}
