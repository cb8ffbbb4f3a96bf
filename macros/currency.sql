{#-
    The reporting currency (SALESPULSE_CURRENCY, an ISO 4217 code) and its symbol
    (SALESPULSE_CURRENCY_SYMBOL; `salespulse build` resolves it from CLDR, see
    src/salespulse/currency.py). Without a symbol the code is shown.
-#}
{% macro currency_code_value() -%}
    {%- set code = (var('currency_code', 'USD') ~ '') | trim | upper -%}
    {%- if not modules.re.match('^[A-Z]{3}$', code) -%}
        {{- exceptions.raise_compiler_error(
            "SALESPULSE_CURRENCY (dbt var currency_code) is '" ~ code ~ "': expected an ISO 4217 code such as USD or EUR") -}}
    {%- endif -%}
    {{- return(code) -}}
{%- endmacro %}

{% macro currency_symbol_value() -%}
    {%- set symbol = (var('currency_symbol', '') ~ '') | trim -%}
    {{- return(symbol if symbol else currency_code_value()) -}}
{%- endmacro %}

{#- A text literal, quotes doubled (a symbol is free text). -#}
{% macro text_literal(value) -%}
    '{{ (value ~ '') | replace("'", "''") }}'
{%- endmacro %}
