{{ config(alias='products') }}
{#- Products: category > subcategory > model > product. -#}
{{ select_declared_columns(ref('dim_product')) }}
