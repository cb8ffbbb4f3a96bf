{#- Date helpers that read the "as of" setting, never the clock, and stay portable. -#}

{% macro as_of_date() -%}
    cast('{{ var("as_of_date") }}' as date)
{%- endmacro %}

{% macro date_literal(value) -%}
    cast('{{ value }}' as date)
{%- endmacro %}

{#- An integer yyyymmdd key for a date expression. -#}
{% macro date_key(date_expr) -%}
    (
        cast(extract(year from {{ date_expr }}) as integer) * 10000
        + cast(extract(month from {{ date_expr }}) as integer) * 100
        + cast(extract(day from {{ date_expr }}) as integer)
    )
{%- endmacro %}

{#- ISO day of week, Monday = 1, from the distance to a known Monday (portable, no locale). -#}
{% macro iso_day_of_week(date_expr) -%}
    cast(mod({{ dbt.datediff(date_literal("1900-01-01"), date_expr, "day") }}, 7) + 1 as integer)
{%- endmacro %}

{% macro month_name(month_number, short=false) -%}
    {%- set names = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
                     'September', 'October', 'November', 'December'] -%}
    case {{ month_number }}
    {%- for name in names %}
        when {{ loop.index }} then '{{ name[:3] if short else name }}'
    {%- endfor %}
    end
{%- endmacro %}

{% macro day_name(iso_day_number) -%}
    {%- set names = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] -%}
    case {{ iso_day_number }}
    {%- for name in names %}
        when {{ loop.index }} then '{{ name }}'
    {%- endfor %}
    end
{%- endmacro %}
