{#-
    No two rows share the same values in these columns (nulls compare equal, as group by groups
    them). Grouped by the columns themselves: no string built per row (the test runs on tables of
    millions of rows), and no false match between values that concatenate alike ('a|b', 'c' and
    'a', 'b|c').
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
