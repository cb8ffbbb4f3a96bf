{#-
    Body of a reconciliation test: `totals` maps a name to a query returning one `amount`. The
    test returns a row (fails) when two totals that must agree differ by half a cent or more:
    those of `pairs` (a list of (name, name)), by default every total with the first.
-#}
{% macro totals_agree_to_the_cent(totals, pairs=none) -%}
{%- set names = totals.keys() | list -%}
{%- if pairs is none -%}
    {%- set pairs = [] -%}
    {%- for name in names[1:] -%}
        {%- do pairs.append((names[0], name)) -%}
    {%- endfor -%}
{%- endif -%}
with
{%- for name in names %}
{{ name }} as (
    {{ totals[name] }}
){{ ',' if not loop.last }}
{%- endfor %}

select
{%- for name in names %}
    coalesce({{ name }}.amount, 0) as {{ name }}_amount{{ ',' if not loop.last }}
{%- endfor %}
from {{ names | join(' cross join ') }}
where
{%- for pair in pairs %}
    {{ 'or ' if not loop.first }}abs(coalesce({{ pair[0] }}.amount, 0) - coalesce({{ pair[1] }}.amount, 0)) >= 0.005
{%- endfor %}
{%- endmacro %}
