{{ config(alias='web_big_clients') }}
{#- The web dashboard's reading of agg_web_big_clients (see there). -#}
{{ select_declared_columns(ref('agg_web_big_clients')) }}
