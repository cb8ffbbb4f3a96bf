{#- Money and ratio types, identical on every target so contracts and reconciliation hold. -#}
{% macro money(expression) -%}
    cast({{ expression }} as decimal(18, 4))
{%- endmacro %}

{% macro ratio(expression) -%}
    cast({{ expression }} as decimal(18, 6))
{%- endmacro %}
