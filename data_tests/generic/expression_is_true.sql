{#- Every row (matching the optional `where`) satisfies the boolean SQL `expression`. -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
