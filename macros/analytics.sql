{#-
    Helpers of the analytics models (forecast, client segments, campaign effectiveness).
-#}

{#-
    The rows of a raw table that a later step creates (the forecast tables exist only after the
    first `salespulse forecast`), typed: `select cast(<column> as <type>) ... from <source>` when the
    table exists, else an empty result with the same columns and types, so the models downstream
    always build. `columns` maps each column to its SQL type; `renames` gives a column another
    name in the result. The source is referenced in both cases, so `dbt build --select
    source:forecast+` still finds the models.
-#}
{% macro source_rows_or_empty(source_name, table_name, columns, renames={}) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set found = execute and load_relation(relation) is not none %}
    select
        {%- for name, type in columns.items() %}
        cast({{ name if found else 'null' }} as {{ type }}) as {{ renames.get(name, name) }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    {%- if found %}
    from {{ relation }}
    {%- else %}
    where 1 = 0
    {%- endif %}
{%- endmacro %}

{#-
    A product of amounts kept exact to 4 decimals with room for large totals; cast the first
    factor to decimal(38, 4) in the expression so the multiplication itself cannot overflow.
-#}
{% macro wide_money(expression) -%}
    cast({{ expression }} as decimal(38, 4))
{%- endmacro %}

{#-
    ratio_of with both arguments parenthesised (ratio_of splices them into arithmetic as they are,
    so `a * b` as a denominator would otherwise divide by a and multiply by b).
-#}
{% macro exact_ratio(numerator, denominator) -%}
    {{ ratio_of('(' ~ numerator ~ ')', '(' ~ denominator ~ ')') }}
{%- endmacro %}

{#-
    ratio_of for numerators of either sign: the same value on every target (ratio_of rounds half
    up for non-negative numerators only).
-#}
{% macro signed_ratio_of(numerator, denominator) -%}
    {%- set wrapped_numerator = '(' ~ numerator ~ ')' -%}
    {%- set wrapped_denominator = '(' ~ denominator ~ ')' -%}
    case
        when {{ wrapped_numerator }} < 0 then -{{ ratio_of('-' ~ wrapped_numerator, wrapped_denominator) }}
        else {{ ratio_of(wrapped_numerator, wrapped_denominator) }}
    end
{%- endmacro %}

{#-
    A 1-5 score from a rank among `count_expression` rows (rank 1 = worst, ties share the lowest
    rank): 1 + the number of whole fifths of the other rows ranked below, capped at 5. So the best
    fifth scores 5, the worst fifth 1, and equal values always get the same score.
-#}
{% macro quintile_score(rank_expression, count_expression) -%}
    case
        when {{ count_expression }} <= 1 then 5
        else cast(
            least(5, 1 + floor(5.0 * ({{ rank_expression }} - 1) / ({{ count_expression }} - 1))) as integer
        )
    end
{%- endmacro %}

{#-
    What a forecast series (series_level: total, category or territory; series_member: All, the
    category name or the territory code) is about: category_name, territory_key (the territory's
    surrogate key, -1 for the total and the categories) and territory_code.
-#}
{% macro forecast_series_attributes(level='series_level', member='series_member') -%}
    case when {{ level }} = 'category' then {{ member }} end as category_name,
    case when {{ level }} = 'territory' then {{ surrogate_key([member]) }} else -1 end as territory_key,
    case when {{ level }} = 'territory' then {{ member }} end as territory_code
{%- endmacro %}
