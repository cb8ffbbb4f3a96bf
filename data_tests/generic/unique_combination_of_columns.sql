{#- No two rows share the same values in these columns (nulls compare equal). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set parts = [] -%}
{%- for column in combination_of_columns -%}
    {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '~null~')") -%}
{%- endfor %}
select
    {{ parts | join(" || '|' || ") }} as combination,
    count(*) as occurrences
from {{ model }}
group by {{ parts | join(" || '|' || ") }}
having count(*) > 1
{% endtest %}
