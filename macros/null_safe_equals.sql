{#- Equality that treats two nulls as equal (a budget's empty grain column matches "all"). -#}
{% macro null_safe_equals(left, right) -%}
    ({{ left }} is not distinct from {{ right }})
{%- endmacro %}
