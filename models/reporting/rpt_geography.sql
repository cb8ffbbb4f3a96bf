{{ config(alias='geography') }}
{#- Region > country > state > city, with coordinates for maps. -#}
{{ select_declared_columns(ref('dim_geography')) }}
