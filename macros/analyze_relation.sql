{#-
    Refresh planner statistics of a freshly built table. PostgreSQL plans joins over new tables
    badly until they are analyzed (it then guesses one row and picks nested loops); DuckDB and
    other engines keep their own statistics, so this is a no-op there.
-#}
{% macro analyze_relation(relation) -%}
    {{ return(adapter.dispatch('analyze_relation', 'salespulse')(relation)) }}
{%- endmacro %}

{% macro default__analyze_relation(relation) -%}
{%- endmacro %}

{% macro postgres__analyze_relation(relation) -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ relation }}
    {%- endif -%}
{%- endmacro %}
