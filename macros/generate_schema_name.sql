{#-
    Custom schemas are used as named (raw, staging, marts, reporting) rather than prefixed with
    the target schema, so Power BI and the web dashboard read stable names on every target.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
