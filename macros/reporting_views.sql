{#-
    A reporting view that hands a mart on as it is: the columns its yml declares (the enforced
    contract that Power BI and the web read), in that order, from `relation`. The yml is the one
    list of a view's columns; the SQL does not say them again.
-#}
{% macro select_declared_columns(relation) -%}
select
{%- for column in model['columns'].values() %}
    {{ column['name'] }}{{ ',' if not loop.last }}
{%- endfor %}
from {{ relation }}
{%- endmacro %}
