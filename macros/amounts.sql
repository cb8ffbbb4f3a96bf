{#- Money and ratio types, identical on every target so contracts and reconciliation hold. -#}
{% macro money(expression) -%}
    cast({{ expression }} as decimal(18, 4))
{%- endmacro %}

{% macro ratio(expression) -%}
    cast({{ expression }} as decimal(18, 6))
{%- endmacro %}

{#-
    numerator / denominator as decimal(18, 6), rounded half up, exactly the same on every
    target. For non-negative numerators and positive denominators with at most 4 decimals
    (money); guard the denominator in the caller.
-#}
{% macro ratio_of(numerator, denominator) -%}
    {{ return(adapter.dispatch('ratio_of', 'salespulse')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__ratio_of(numerator, denominator) -%}
    {{ ratio('round(cast(' ~ numerator ~ ' as decimal(38, 10)) / ' ~ denominator ~ ', 6)') }}
{%- endmacro %}

{#- DuckDB divides decimals in floating point: use exact integer arithmetic instead. -#}
{% macro duckdb__ratio_of(numerator, denominator) -%}
    {%- set scaled_numerator = 'cast(round(' ~ numerator ~ ' * 10000) as hugeint)' -%}
    {%- set scaled_denominator = 'cast(round(' ~ denominator ~ ' * 10000) as hugeint)' -%}
    {{ ratio(
        'cast((' ~ scaled_numerator ~ ' * 2000000 + ' ~ scaled_denominator ~ ') // (2 * '
        ~ scaled_denominator ~ ') as decimal(38, 0)) * cast(0.000001 as decimal(7, 6))'
    ) }}
{%- endmacro %}
