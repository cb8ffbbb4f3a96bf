{#-
    Body of a reconciliation test: `totals` maps a name to a query returning one `amount`. The
    test returns a row (fails) when any total differs from the first by half a cent or more.
-#}
{% macro totals_agree_to_the_cent(totals) -%}
{%- set names = totals.keys() | list -%}
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
{%- for name in names[1:] %}
    {{ 'or ' if not loop.first }}abs(coalesce({{ names[0] }}.amount, 0) - coalesce({{ name }}.amount, 0)) >= 0.005
{%- endfor %}
{%- endmacro %}
