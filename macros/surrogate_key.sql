{#-
    A stable integer surrogate key from business-key columns: the first 13 hex digits (52 bits)
    of the md5 of the columns joined with '|'. The same key on every target and in every run, so
    incremental models and re-builds agree, and small enough for JavaScript's exact integers.
    Collisions are caught by the unique tests on every key.
-#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '~null~')") -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('hex_to_bigint', 'salespulse')("substr(md5(" ~ parts | join(" || '|' || ") ~ "), 1, 13)")) }}
{%- endmacro %}

{% macro default__hex_to_bigint(hex) -%}
    cast(conv({{ hex }}, 16, 10) as bigint)
{%- endmacro %}

{% macro duckdb__hex_to_bigint(hex) -%}
    cast(('0x' || {{ hex }}) as bigint)
{%- endmacro %}

{% macro postgres__hex_to_bigint(hex) -%}
    cast(cast(('x' || lpad({{ hex }}, 16, '0')) as bit(64)) as bigint)
{%- endmacro %}
